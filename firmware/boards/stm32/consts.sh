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
# A USB build has no SERIAL_BAUD: the host then knows the link is not a UART (no baud model).
if [ "$serial" = usb ]; then
  echo "DECL_CONSTANT_STR(\"RESERVE_PINS_USB\", \"PA11,PA12\");"
else
  echo "DECL_CONSTANT(\"SERIAL_BAUD\", $baud);"
  echo "DECL_CONSTANT_STR(\"RESERVE_PINS_serial\", \"PA10,PA9\");"
fi
