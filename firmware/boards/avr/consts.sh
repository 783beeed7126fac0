#!/bin/sh
# Writes the per-build dictionary constants and pin enumeration of an AVR image (read by
# tools/gen-dict.mjs only, never compiled): the generator does not evaluate #if, so what differs
# by chip and clock is written here. Usage: consts.sh MCU F_CPU
mcu=$1 f_cpu=$2
echo "DECL_CONSTANT(\"CLOCK_FREQ\", $f_cpu);"
echo "DECL_CONSTANT_STR(\"MCU\", \"$mcu\");"
case $mcu in
atmega2560) ports="A:0 B:1 C:2 D:3 E:4 F:5 G:6 H:7 J:9 K:10 L:11"; serial="PE0,PE1" ;;
atmega1284p|atmega644p) ports="A:0 B:1 C:2 D:3"; serial="PD0,PD1" ;;
atmega328p) ports="B:1 C:2 D:3"; serial="PD0,PD1" ;;
*) echo "consts.sh: unknown AVR MCU $mcu (atmega2560, atmega1284p, atmega644p, atmega328p)" >&2; exit 1 ;;
esac
for p in $ports; do
  echo "DECL_ENUMERATION_RANGE(\"pin\", \"P${p%%:*}0\", $(( ${p##*:} * 8 )), 8);"
done
echo "DECL_CONSTANT_STR(\"RESERVE_PINS_serial\", \"$serial\");"
# The SPI peripheral's bus (MISO, MOSI, SCK; boards/avr/spi.c). The 328p has no SPI commands.
case $mcu in
atmega2560) spi="PB3,PB2,PB1" ;;
atmega1284p|atmega644p) spi="PB6,PB5,PB7" ;;
*) spi="" ;;
esac
if [ -n "$spi" ]; then
  echo 'DECL_ENUMERATION("spi_bus", "spi", 0);'
  echo "DECL_CONSTANT_STR(\"BUS_PINS_spi\", \"$spi\");"
fi
# The TWI peripheral's bus (SCL, SDA; boards/avr/i2c.c). The 328p has no I2C commands.
case $mcu in
atmega2560) twi="PD0,PD1" ;;
atmega1284p|atmega644p) twi="PC0,PC1" ;;
*) twi="" ;;
esac
if [ -n "$twi" ]; then
  echo 'DECL_ENUMERATION("i2c_bus", "twi", 0);'
  echo "DECL_CONSTANT_STR(\"BUS_PINS_twi\", \"$twi\");"
fi
