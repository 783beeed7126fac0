#ifndef STM32_REGS_H
#define STM32_REGS_H
// The few STM32F1 / STM32F4 registers this board uses (addresses from the reference manuals
// RM0008 and RM0090/RM0368/RM0390). STM32F1 is selected with -DSTM32F1, F4 with -DSTM32F4.
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))

// Cortex-M core
#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)
#define NVIC_ISER(n) REG(0xE000E100 + 4 * (n))
#define SCB_ICSR REG(0xE000ED04)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define SCB_VTOR REG(0xE000ED08)
// The cycle counter (Cortex-M3/M4 DWT), enabled through DEMCR.TRCENA
#define SCB_DEMCR REG(0xE000EDFC)
#define DWT_CTRL REG(0xE0001000)
#define DWT_CYCCNT REG(0xE0001004)
#define DWT_LAR REG(0xE0001FB0)
#define SCB_AIRCR REG(0xE000ED0C)
#define SCB_SHPR3 REG(0xE000ED20)  // bits 31:24: SysTick's priority
#define USART1_IRQn 37

#if defined(STM32F1)
#define RCC_BASE 0x40021000
#define RCC_CR REG(RCC_BASE + 0x00)
#define RCC_CFGR REG(RCC_BASE + 0x04)
#define RCC_APB2ENR REG(RCC_BASE + 0x18)
#define RCC_APB1ENR REG(RCC_BASE + 0x1C)
#define FLASH_ACR REG(0x40022000)
#define GPIO_BASE(port) (0x40010800 + 0x400 * (port))
#define USART1_BASE 0x40013800
#define ADC1_BASE 0x40012400
#elif defined(STM32F4)
#define RCC_BASE 0x40023800
#define RCC_CR REG(RCC_BASE + 0x00)
#define RCC_PLLCFGR REG(RCC_BASE + 0x04)
#define RCC_CFGR REG(RCC_BASE + 0x08)
#define RCC_AHB1ENR REG(RCC_BASE + 0x30)
#define RCC_APB1ENR REG(RCC_BASE + 0x40)
#define RCC_APB2ENR REG(RCC_BASE + 0x44)
#define RCC_PLLSAICFGR REG(RCC_BASE + 0x88)  // F446 only
#define RCC_DCKCFGR2 REG(RCC_BASE + 0x94)    // F446 only
#define FLASH_ACR REG(0x40023C00)
#define PWR_CR REG(0x40007000)
#define PWR_CSR REG(0x40007004)
#define GPIO_BASE(port) (0x40020000 + 0x400 * (port))
#define USART1_BASE 0x40011000
#define ADC1_BASE 0x40012000
#define ADC_CCR REG(0x40012304)
#else
#error "define STM32F1 or STM32F4"
#endif

// USART (same layout on F1 and F4)
#define USART_SR REG(USART1_BASE + 0x00)
#define USART_DR REG(USART1_BASE + 0x04)
#define USART_BRR REG(USART1_BASE + 0x08)
#define USART_CR1 REG(USART1_BASE + 0x0C)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define SR_ORE (1u << 3)
#define CR1_UE (1u << 13)
#define CR1_TXEIE (1u << 7)
#define CR1_RXNEIE (1u << 5)
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)

// General-purpose timers TIM2-TIM5 on APB1 (same addresses and layout on F1 and F4)
#define TIM_BASE(n) (0x40000000 + 0x400 * ((n) - 2))
enum { TIM_CR1 = 0, TIM_EGR = 5, TIM_CCMR1 = 6, TIM_CCMR2 = 7, TIM_CCER = 8, TIM_CNT = 9, TIM_PSC = 10, TIM_ARR = 11,
       TIM_CCR1 = 13 };

// ADC (same offsets on F1 and F4)
#define ADC_SR REG(ADC1_BASE + 0x00)
#define ADC_CR2 REG(ADC1_BASE + 0x08)
#define ADC_SMPR1 REG(ADC1_BASE + 0x0C)
#define ADC_SMPR2 REG(ADC1_BASE + 0x10)
#define ADC_SQR1 REG(ADC1_BASE + 0x2C)
#define ADC_SQR3 REG(ADC1_BASE + 0x34)
#define ADC_DR REG(ADC1_BASE + 0x4C)

#endif
