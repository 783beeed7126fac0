#!/bin/sh
# Per-build dictionary constants of an STM32 image (read by tools/gen-dict.mjs only, never
# compiled; the generator does not evaluate #if). Usage: consts.sh MCU CLOCK_FREQ [usart|usb] [BAUD]
mcu=$1 clock=$2 serial=${3:-usart} baud=${4:-250000}
echo "DECL_CONSTANT(\"CLOCK_FREQ\", $clock);"
echo "DECL_CONSTANT_STR(\"MCU\", \"$mcu\");"
case $mcu in
stm32f4*) ports="A B C D E F G H" ;;
*) ports="A B C D E F G" ;;
esac
i=0
for p in $ports; do
  echo "DECL_ENUMERATION_RANGE(\"pin\", \"P${p}0\", $(( i * 16 )), 16);"
  i=$((i + 1))
done
# SPI buses (boards/stm32/spi.c; MISO, MOSI, SCK): spi3 is on JTAG pins on the F1, so F4 only.
echo 'DECL_ENUMERATION("spi_bus", "spi1", 0);'
echo 'DECL_CONSTANT_STR("BUS_PINS_spi1", "PA6,PA7,PA5");'
echo 'DECL_ENUMERATION("spi_bus", "spi2", 1);'
echo 'DECL_CONSTANT_STR("BUS_PINS_spi2", "PB14,PB15,PB13");'
case $mcu in
stm32f4*|qemu-stm32f4*)
  echo 'DECL_ENUMERATION("spi_bus", "spi3", 2);'
  echo 'DECL_CONSTANT_STR("BUS_PINS_spi3", "PB4,PB5,PB3");' ;;
esac
# I2C buses (boards/stm32/i2c.c; SCL, SDA): i2c1a is I2C1 remapped, i2c3 F4 only.
echo 'DECL_ENUMERATION("i2c_bus", "i2c1", 0);'
echo 'DECL_CONSTANT_STR("BUS_PINS_i2c1", "PB6,PB7");'
echo 'DECL_ENUMERATION("i2c_bus", "i2c1a", 1);'
echo 'DECL_CONSTANT_STR("BUS_PINS_i2c1a", "PB8,PB9");'
echo 'DECL_ENUMERATION("i2c_bus", "i2c2", 2);'
echo 'DECL_CONSTANT_STR("BUS_PINS_i2c2", "PB10,PB11");'
case $mcu in
stm32f4*|qemu-stm32f4*)
  echo 'DECL_ENUMERATION("i2c_bus", "i2c3", 3);'
  echo 'DECL_CONSTANT_STR("BUS_PINS_i2c3", "PA8,PC9");' ;;
esac
# A USB build has no SERIAL_BAUD: the host then knows the link is not a UART (no baud model).
if [ "$serial" = usb ]; then
  echo "DECL_CONSTANT_STR(\"RESERVE_PINS_USB\", \"PA11,PA12\");"
else
  echo "DECL_CONSTANT(\"SERIAL_BAUD\", $baud);"
  echo "DECL_CONSTANT_STR(\"RESERVE_PINS_serial\", \"PA10,PA9\");"
fi
