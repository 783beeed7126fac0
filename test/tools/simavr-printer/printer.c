/*
 * simavr-printer: Tether's AVR firmware on a simulated chip, as a printer board for tests.
 *
 * Usage: simavr-printer --mcu atmega2560 --freq 16000000 --elf tether.elf
 *          [--pty] [--link PATH] [--speed R] [--script FILE] [--uart-out FILE]
 *          [--cycles N] [--report FILE] [--adc CHAN=MILLIVOLTS]... [--heater PIN:CHAN]
 *   --pty       UART0 on a pseudo terminal; prints "pty: <path>" on stdout once ready
 *   --speed R   pace simulated time to R x wall-clock time (default 1; 0 = as fast as possible).
 *               A host needs R = 1 (its clock sync assumes real time); lower if the machine
 *               cannot keep up, then the host sees a slower clock, which it measures. The
 *               simulated clock is never ahead of R x wall-clock time; behind it (this process
 *               starved) it catches up (see the loop).
 *   --script F  feed these bytes to UART0 right after start (benchmarks: no host needed)
 *   --uart-out  record every byte the firmware sends (--uart-in: every byte it was given)
 *   --cycles N  stop after N simulated cycles
 *   (SIMAVR_PRINTER_TRACE=FROM:TO prints each instruction's cycle, address and r12..r31.)
 *   --report F  on exit write JSON: cycles, state, rising edges per pin ("PA0": n), the
 *               shortest high and low time per pin in cycles (min_high, min_low: step pulse
 *               widths), and the net position of every pin pair given with --stepper STEP:DIR
 *   --edges F   every pin edge as "cycle pin level" lines (debugging)
 *   --adc C=mV  voltage on ADC channel C (default: every channel reads a 100k NTC at 25 C behind
 *               a 4.7k pull-up on 5 V, 4775 mV)
 *   --profile F cycles spent at each program address (text: "hexaddr cycles" per line)
 *   --endstop PIN:STEP:SIGN:START  an endstop switch on PIN (driven high while closed) at the
 *               end of the carriage of the --stepper with step pin STEP, which starts START steps
 *               away from it; SIGN '+' if steps with the dir pin high move away from the switch
 *   --heater P:C  a heater on output pin P warms the thermistor on ADC channel C (first-order
 *               model, fast so tests heat in seconds at 0.1x: 150 C/s at full power, cooling 5 %/s of
 *               the difference to 25 C)
 * SIGTERM / SIGINT: write the report and exit 0. SIGUSR1: write the report, print "report" on
 * stdout and run on.
 *
 * simavr 1.6 faults (shared/STACK.md) are handled in the firmware, not here: it idles with
 * `sei; sleep` (interrupts are only taken two instructions after `sei`) and never writes
 * Timer1's flag register (a write-1-to-clear clears all of Timer1's flags).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <simavr/avr_adc.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_uart.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_irq.h>

#define PORTS 12  /* A..L; pin number = port * 8 + bit, as the firmware's "pin" enumeration */
#define MAX_STEPPERS 8

static avr_t *avr;
static int master_fd = -1, slave_fd = -1;
static FILE *uart_out, *uart_in_file;
static const char *link_path, *report_path;
static volatile sig_atomic_t stop_requested;
static uint64_t rises[PORTS * 8];
/* Shortest high and low time of each pin (cycles), for step pulse widths. */
static uint64_t edge_cycle[PORTS * 8], min_high[PORTS * 8], min_low[PORTS * 8];
static FILE *edges_out;  /* --edges FILE: "cycle pin level" per edge */
static uint8_t pin_level[PORTS * 8];
static struct { int step, dir; int64_t pos; } steppers[MAX_STEPPERS];
static int stepper_count;
/* --endstop PIN:STEP:SIGN:START: an endstop switch on input PIN, closed (pin driven high) while
 * the carriage of the stepper on STEP is at or past it. The carriage starts START steps away;
 * SIGN '+' means the counted position (a step with the dir pin high counts +1) grows away from
 * the switch, '-' towards it. */
static struct { int pin, stepper, sign; int64_t start; avr_irq_t *irq; int closed; } endstops[MAX_STEPPERS];
static int endstop_count;
static uint8_t tx_pending[65536];
static size_t tx_len;
static uint8_t rx_fifo[65536];
static size_t rx_head, rx_tail;
static int uart_xon = 1;
static avr_irq_t *uart_in;
static int firmware_spoke;
/* --profile FILE: cycles spent per program word (a debugging aid for the step path). */
#define PROFILE_WORDS (256 * 1024 / 2)
static uint64_t *profile;
static const char *profile_path;
static int adc_mv[16];
static int heater_pin = -1, heater_chan = -1;
static double heater_temp_c = 25.0;
static uint64_t heater_on_cycles, heater_last_cycle;

static volatile sig_atomic_t report_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }
static void on_report_signal(int sig) { (void)sig; report_requested = 1; }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_uart_output(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq; (void)param;
    firmware_spoke = 1;
    if (uart_out)
        fputc((int)value, uart_out);
    if (master_fd >= 0 && tx_len < sizeof(tx_pending))
        tx_pending[tx_len++] = (uint8_t)value;
}
static void on_xon(avr_irq_t *irq, uint32_t v, void *p) { (void)irq; (void)v; (void)p; uart_xon = 1; }
static void on_xoff(avr_irq_t *irq, uint32_t v, void *p) { (void)irq; (void)v; (void)p; uart_xon = 0; }

/* Thermistor: 100k NTC (beta 3950) behind 4.7k to 5 V. */
static int thermistor_mv(double temp_c)
{
    double r = 100000.0 * exp(3950.0 * (1.0 / (temp_c + 273.15) - 1.0 / 298.15));
    return (int)(5000.0 * r / (r + 4700.0));
}

static uint64_t heater_on_since;  /* cycle the heater pin last went high */

static void heater_update(void)
{
    /* Integrate the heater's on-time since the last update into the temperature. */
    uint64_t now = avr->cycle;
    double dt = (double)(now - heater_last_cycle) / avr->frequency;
    if (dt < 0.01)
        return;
    /* (After the 10 ms check: counted before it, a pin that stayed on added the same stretch
     * once per slice, a duty far above 1.) */
    if (pin_level[heater_pin])
        heater_on_cycles += now - (heater_on_since > heater_last_cycle ? heater_on_since : heater_last_cycle);
    double duty = (double)heater_on_cycles / (double)(now - heater_last_cycle);
    heater_temp_c += (duty * 150.0 - (heater_temp_c - 25.0) * 0.05) * dt;
    heater_on_cycles = 0;
    heater_last_cycle = now;
    if (pin_level[heater_pin])
        heater_on_since = now;
    adc_mv[heater_chan] = thermistor_mv(heater_temp_c);
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, heater_chan), adc_mv[heater_chan]);
}

static const char *pin_name(int pin, char *buf)
{
    sprintf(buf, "P%c%d", "ABCDEFGHIJKL"[pin / 8], pin % 8);
    return buf;
}

static void on_pin(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    int pin = (int)(intptr_t)param;
    value = value ? 1 : 0;
    if (value == pin_level[pin])
        return;
    if (pin == heater_pin) {
        uint64_t from = heater_on_since > heater_last_cycle ? heater_on_since : heater_last_cycle;
        if (value)
            heater_on_since = avr->cycle;
        else
            heater_on_cycles += avr->cycle - from;
    }
    pin_level[pin] = (uint8_t)value;
    uint64_t *width = value ? &min_low[pin] : &min_high[pin];
    if (edge_cycle[pin] && (!*width || avr->cycle - edge_cycle[pin] < *width))
        *width = avr->cycle - edge_cycle[pin];
    edge_cycle[pin] = avr->cycle;
    if (edges_out) {
        char name[8];
        fprintf(edges_out, "%llu %s %u\n", (unsigned long long)avr->cycle, pin_name(pin, name), value);
    }
    if (!value)
        return;
    rises[pin]++;
    for (int i = 0; i < stepper_count; i++)
        if (steppers[i].step == pin)
            steppers[i].pos += pin_level[steppers[i].dir] ? 1 : -1;
    for (int i = 0; i < endstop_count; i++) {
        if (steppers[endstops[i].stepper].step != pin)
            continue;
        int64_t away = endstops[i].start + endstops[i].sign * steppers[endstops[i].stepper].pos;
        int closed = away <= 0;
        if (closed != endstops[i].closed) {
            endstops[i].closed = closed;
            avr_raise_irq(endstops[i].irq, closed);
        }
    }
}

static int parse_pin(const char *s)
{
    if (s[0] != 'P' || s[1] < 'A' || s[1] > 'L' || s[2] < '0' || s[2] > '7' || s[3]) {
        fprintf(stderr, "simavr-printer: bad pin name %s (want e.g. PA4)\n", s);
        exit(2);
    }
    return (s[1] - 'A') * 8 + (s[2] - '0');
}

static void write_report(void)
{
    if (!report_path)
        return;
    FILE *f = fopen(report_path, "w");
    if (!f) {
        perror("simavr-printer: --report");
        return;
    }
    char name[8];
    fprintf(f, "{\"cycles\":%llu,\"freq\":%u,\"state\":%d,\"rises\":{", (unsigned long long)avr->cycle,
            avr->frequency, avr->state);
    int first = 1;
    for (int p = 0; p < PORTS * 8; p++) {
        if (!rises[p])
            continue;
        fprintf(f, "%s\"%s\":%llu", first ? "" : ",", pin_name(p, name), (unsigned long long)rises[p]);
        first = 0;
    }
    fprintf(f, "},\"min_high\":{");
    first = 1;
    for (int p = 0; p < PORTS * 8; p++) {
        if (!min_high[p])
            continue;
        fprintf(f, "%s\"%s\":%llu", first ? "" : ",", pin_name(p, name), (unsigned long long)min_high[p]);
        first = 0;
    }
    fprintf(f, "},\"min_low\":{");
    first = 1;
    for (int p = 0; p < PORTS * 8; p++) {
        if (!min_low[p])
            continue;
        fprintf(f, "%s\"%s\":%llu", first ? "" : ",", pin_name(p, name), (unsigned long long)min_low[p]);
        first = 0;
    }
    fprintf(f, "},\"positions\":{");
    for (int i = 0; i < stepper_count; i++)
        fprintf(f, "%s\"%s\":%lld", i ? "," : "", pin_name(steppers[i].step, name), (long long)steppers[i].pos);
    fprintf(f, "},\"heater_c\":%.2f}\n", heater_temp_c);
    fclose(f);
}

static void open_pty(void)
{
    master_fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (master_fd < 0 || grantpt(master_fd) || unlockpt(master_fd)) {
        perror("simavr-printer: cannot create a pty");
        exit(1);
    }
    /* Hold the slave open so the master stays usable while no host has it open. */
    slave_fd = open(ptsname(master_fd), O_RDWR | O_NOCTTY);
    struct termios t;
    if (slave_fd >= 0 && tcgetattr(slave_fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave_fd, TCSANOW, &t);
    }
    fcntl(master_fd, F_SETFL, fcntl(master_fd, F_GETFL) | O_NONBLOCK);
    if (link_path) {
        unlink(link_path);
        if (symlink(ptsname(master_fd), link_path)) {
            perror("simavr-printer: --link");
            exit(1);
        }
    }
    printf("pty: %s\n", ptsname(master_fd));
    fflush(stdout);
}

static void pump_pty(void)
{
    if (tx_len) {
        ssize_t n = write(master_fd, tx_pending, tx_len);
        if (n > 0) {
            memmove(tx_pending, tx_pending + n, tx_len - n);
            tx_len -= n;
        }
    }
    uint8_t buf[512];
    size_t room = sizeof(rx_fifo) - (rx_tail - rx_head);
    ssize_t n = read(master_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
    for (ssize_t i = 0; i < n; i++)
        rx_fifo[rx_tail++ % sizeof(rx_fifo)] = buf[i];
}

/* Hand received bytes to the UART one at a time, at the wire's byte rate (10 bits at 250000
 * baud), like a real line: simavr 1.6's UART input FIFO sets overrun and drops bytes raised
 * faster than that. The firmware runs its UART without U2X (simavr ignores U2X), so this is the
 * real 250000 baud: 25 kB/s. (At half that rate a printer's step stream outran the link and
 * queue_step arrived after its time: "Stepper too far in past".) */
static uint64_t next_feed_cycle;
static void feed_uart(void)
{
    /* Bytes sent before the firmware enabled its receiver would be lost (clearing 6 KiB of RAM
     * at boot takes ~2.5 ms): wait until it has said something ("starting"). */
    if (!firmware_spoke || avr->cycle < next_feed_cycle)
        return;
    if (uart_xon && rx_head != rx_tail) {
        if (uart_in_file)
            fputc(rx_fifo[rx_head % sizeof(rx_fifo)], uart_in_file);
        avr_raise_irq(uart_in, rx_fifo[rx_head++ % sizeof(rx_fifo)]);
        next_feed_cycle = avr->cycle + avr->frequency / 25000;
    }
}

static void no_sleep(avr_t *a, avr_cycle_count_t how_long) { (void)a; (void)how_long; }

int main(int argc, char **argv)
{
    const char *mcu = NULL, *elf = NULL, *script = NULL;
    uint32_t freq = 16000000;
    double speed = 1.0;
    uint64_t max_cycles = 0;
    int use_pty = 0;
    for (int c = 0; c < 16; c++)
        adc_mv[c] = thermistor_mv(25.0);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--pty")) use_pty = 1;
        else if (!v) { fprintf(stderr, "simavr-printer: %s needs a value (see printer.c)\n", a); return 2; }
        else if (!strcmp(a, "--mcu")) mcu = v, i++;
        else if (!strcmp(a, "--freq")) freq = (uint32_t)strtoul(v, NULL, 0), i++;
        else if (!strcmp(a, "--elf")) elf = v, i++;
        else if (!strcmp(a, "--link")) link_path = v, i++;
        else if (!strcmp(a, "--speed")) speed = atof(v), i++;
        else if (!strcmp(a, "--script")) script = v, i++;
        else if (!strcmp(a, "--cycles")) max_cycles = strtoull(v, NULL, 0), i++;
        else if (!strcmp(a, "--report")) report_path = v, i++;
        else if (!strcmp(a, "--edges")) {
            edges_out = fopen(v, "w"); i++;
            if (!edges_out) { perror("simavr-printer: --edges"); return 2; }
        } else if (!strcmp(a, "--profile")) profile_path = v, profile = calloc(PROFILE_WORDS, sizeof(uint64_t)), i++;
        else if (!strcmp(a, "--uart-in")) {
            uart_in_file = fopen(v, "wb"); i++;
            if (!uart_in_file) { perror("simavr-printer: --uart-in"); return 2; }
        } else if (!strcmp(a, "--uart-out")) {
            uart_out = fopen(v, "wb"); i++;
            if (!uart_out) { perror("simavr-printer: --uart-out"); return 2; }
        } else if (!strcmp(a, "--adc")) {
            int chan, mv;
            if (sscanf(v, "%d=%d", &chan, &mv) != 2 || chan < 0 || chan > 15) {
                fprintf(stderr, "simavr-printer: --adc wants CHAN=MILLIVOLTS, got %s\n", v);
                return 2;
            }
            adc_mv[chan] = mv; i++;
        } else if (!strcmp(a, "--heater")) {
            char pin[8]; int chan;
            if (sscanf(v, "%3[A-Z0-9]:%d", pin, &chan) != 2 || chan < 0 || chan > 15) {
                fprintf(stderr, "simavr-printer: --heater wants PIN:CHAN, got %s\n", v);
                return 2;
            }
            heater_pin = parse_pin(pin); heater_chan = chan; i++;
        } else if (!strcmp(a, "--stepper")) {
            char s[8], d[8];
            if (stepper_count >= MAX_STEPPERS || sscanf(v, "%3[A-Z0-9]:%3[A-Z0-9]", s, d) != 2) {
                fprintf(stderr, "simavr-printer: --stepper wants STEP:DIR (at most %d), got %s\n", MAX_STEPPERS, v);
                return 2;
            }
            steppers[stepper_count].step = parse_pin(s);
            steppers[stepper_count++].dir = parse_pin(d); i++;
        } else if (!strcmp(a, "--endstop")) {
            char pin[8], step[8], sign;
            long long start;
            if (endstop_count >= MAX_STEPPERS
                || sscanf(v, "%3[A-Z0-9]:%3[A-Z0-9]:%c:%lld", pin, step, &sign, &start) != 4
                || (sign != '+' && sign != '-')) {
                fprintf(stderr, "simavr-printer: --endstop wants PIN:STEP:+|-:START (give --stepper first), got %s\n", v);
                return 2;
            }
            int st = -1;
            for (int k = 0; k < stepper_count; k++)
                if (steppers[k].step == parse_pin(step))
                    st = k;
            if (st < 0) {
                fprintf(stderr, "simavr-printer: --endstop %s: no --stepper with step pin %s before it\n", v, step);
                return 2;
            }
            endstops[endstop_count].pin = parse_pin(pin);
            endstops[endstop_count].stepper = st;
            endstops[endstop_count].sign = sign == '+' ? 1 : -1;
            endstops[endstop_count++].start = start; i++;
        } else { fprintf(stderr, "simavr-printer: unknown option %s (see printer.c)\n", a); return 2; }
    }
    if (!mcu || !elf) {
        fprintf(stderr, "simavr-printer: --mcu and --elf are required\n");
        return 2;
    }
    elf_firmware_t fw;
    memset(&fw, 0, sizeof(fw));
    if (elf_read_firmware(elf, &fw)) {
        fprintf(stderr, "simavr-printer: cannot read ELF %s\n", elf);
        return 2;
    }
    avr = avr_make_mcu_by_name(mcu);
    if (!avr) {
        fprintf(stderr, "simavr-printer: simavr does not know MCU %s\n", mcu);
        return 2;
    }
    avr_init(avr);
    fw.frequency = freq;
    avr_load_firmware(avr, &fw);
    avr->frequency = freq;
    avr->sleep = no_sleep;
    /* SIMAVR_PRINTER_LOG=N: simavr's own messages up to level N (3: why a chip "crashed"). */
    avr->log = getenv("SIMAVR_PRINTER_LOG") ? atoi(getenv("SIMAVR_PRINTER_LOG")) : 0;
    avr->vcc = avr->avcc = avr->aref = 5000;

    uint32_t flags = 0;
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(AVR_UART_FLAG_POLL_SLEEP | AVR_UART_FLAG_STDIO);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_output, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), on_xon, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), on_xoff, NULL);
    uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);

    for (int port = 0; port < PORTS; port++) {
        for (int bit = 0; bit < 8; bit++) {
            avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('A' + port), bit);
            if (irq)
                avr_irq_register_notify(irq, on_pin, (void *)(intptr_t)(port * 8 + bit));
        }
    }
    for (int i = 0; i < endstop_count; i++) {
        int pin = endstops[i].pin;
        endstops[i].irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('A' + pin / 8), pin % 8);
        endstops[i].closed = endstops[i].start <= 0;
        avr_raise_irq(endstops[i].irq, endstops[i].closed);
    }
    for (int c = 0; c < 16; c++) {
        avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + c);
        if (irq)
            avr_raise_irq(irq, adc_mv[c]);
    }

    if (script) {
        FILE *f = fopen(script, "rb");
        if (!f) { perror("simavr-printer: --script"); return 2; }
        size_t n = fread(rx_fifo, 1, sizeof(rx_fifo), f);
        fclose(f);
        rx_tail = n;
    }
    if (use_pty)
        open_pty();
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_report_signal);

    /* SIMAVR_PRINTER_TRACE=FROM:TO: every instruction's cycle and address in that cycle range
     * on stderr (debugging the firmware's timer code). */
    uint64_t trace_from = 0, trace_to = 0;
    if (getenv("SIMAVR_PRINTER_TRACE"))
        sscanf(getenv("SIMAVR_PRINTER_TRACE"), "%llu:%llu", (unsigned long long *)&trace_from,
               (unsigned long long *)&trace_to);
    /* SIMAVR_PRINTER_PACE_LOG=FILE: "monotonic_ns cycle debt_ns skipped_ns" after each slice
     * (debt: how far wall-clock time is ahead of the paced simulated time; skipped: time given
     * up so far instead of caught up). Debugging the host's clock sync against this clock. */
    FILE *pace_log = getenv("SIMAVR_PRINTER_PACE_LOG") ? fopen(getenv("SIMAVR_PRINTER_PACE_LOG"), "w") : NULL;
    uint64_t skipped_ns = 0;
    uint64_t slice_cycles = speed > 0 && speed < 1 ? (uint64_t)(freq * speed / 1000) : freq / 1000;
    if (slice_cycles < 100)
        slice_cycles = 100;
    /* Catch up at most this far (wall-clock ns): beyond it the process was stopped rather than
     * starved, and the simulated clock resumes where it was. */
    uint64_t pace_max_debt_ns = 1000000000u;
    uint64_t start_ns = now_ns();
    int state = cpu_Running;
    while (!stop_requested) {
        /* A slice of cycles, then I/O and pacing: 1 ms of wall-clock time (slower than real
         * time, 1 ms of simulated time would be 10 ms of wall-clock at 0.1x, and the UART's
         * bytes, the clock replies the host's clock sync samples, would wait that long). */
        uint64_t slice_end = avr->cycle + slice_cycles;
        if (max_cycles && slice_end > max_cycles)
            slice_end = max_cycles;
        while (avr->cycle < slice_end) {
            uint32_t pc = avr->pc;
            uint64_t before = avr->cycle;
            state = avr_run(avr);
            if (before >= trace_from && before < trace_to) {
                fprintf(stderr, "%llu %x", (unsigned long long)before, pc);
                for (int r = 12; r < 32; r++)
                    fprintf(stderr, " %02x", avr->data[r]);
                fprintf(stderr, "\n");
            }
            if (profile && pc / 2 < PROFILE_WORDS)
                profile[pc / 2] += avr->cycle - before;
            if (state == cpu_Done || state == cpu_Crashed)
                break;
            feed_uart();
        }
        if (state == cpu_Done || state == cpu_Crashed) {
            fprintf(stderr, "simavr-printer: the simulated chip stopped (state %d) at cycle %llu, pc 0x%x, sp 0x%x\n", state,
                    (unsigned long long)avr->cycle, avr->pc, avr->data[0x5d] | avr->data[0x5e] << 8);
            break;
        }
        if (heater_pin >= 0)
            heater_update();
        if (report_requested) {
            report_requested = 0;
            write_report();
            printf("report\n");
            fflush(stdout);
        }
        /* The firmware's pull-up drives the pin high when it configures it: the switch wins. */
        for (int i = 0; i < endstop_count; i++)
            if (pin_level[endstops[i].pin] != endstops[i].closed)
                avr_raise_irq(endstops[i].irq, endstops[i].closed);
        if (max_cycles && avr->cycle >= max_cycles)
            break;
        if (master_fd >= 0)
            pump_pty();
        if (speed > 0) {
            uint64_t sim_ns = (uint64_t)((double)avr->cycle * 1e9 / freq / speed);
            uint64_t real_ns = now_ns() - start_ns;
            /* Simulated time follows one fixed line, cycle = elapsed wall-clock time x speed x
             * freq, and is never ahead of it. Starved by a loaded machine, the chip falls behind
             * the line and then catches up to it, never past it. The host's clock sync fits a
             * line to the chip's clock: it stays on this one, and a chip behind its estimate only
             * gets commands early. Dropping the lost time instead (as this did before) moves the
             * line down a little each time; the fit then follows with a lower rate and offset,
             * overshoots below the chip once it runs on time again, and commands arrive late
             * ("Timer too close", "Stepper too far in past"). Only a stop longer than
             * pace_max_debt_ns gives up the excess. */
            if (pace_log)
                fprintf(pace_log, "%llu %llu %lld %llu\n", (unsigned long long)(start_ns + real_ns),
                        (unsigned long long)avr->cycle, (long long)real_ns - (long long)sim_ns,
                        (unsigned long long)skipped_ns);
            /* Until the host has sent a byte nobody reads the clock: the line may start late
             * (the start-up of the host beside this process starves it most). */
            if (rx_tail == 0 && real_ns > sim_ns) {
                start_ns += real_ns - sim_ns;
            } else if (real_ns > sim_ns + pace_max_debt_ns) {
                skipped_ns += real_ns - sim_ns - pace_max_debt_ns;
                start_ns += real_ns - sim_ns - pace_max_debt_ns;
            }
            if (sim_ns > real_ns + 100000) {
                /* Ahead of the line: wait for it. (Not for the host's bytes too: they are fed
                 * in the next slice either way, and a wake-up there would run that slice early.) */
                uint64_t wait_ns = sim_ns - real_ns;
                struct timespec ts = { (time_t)(wait_ns / 1000000000u), (long)(wait_ns % 1000000000u) };
                nanosleep(&ts, NULL);
            }
        }
    }
    if (uart_out)
        fclose(uart_out);
    if (pace_log)
        fclose(pace_log);
    if (edges_out)
        fclose(edges_out);
    if (uart_in_file)
        fclose(uart_in_file);
    if (getenv("SIMAVR_PRINTER_DEBUG"))
        fprintf(stderr, "pc=0x%x cycle=%llu fed=%zu/%zu sreg_i=%d\n", avr->pc, (unsigned long long)avr->cycle,
                rx_head, rx_tail, avr->sreg[7]);
    if (getenv("SIMAVR_PRINTER_PEEK")) {  /* debugging: hex address of a RAM byte to print */
        unsigned addr = (unsigned)strtoul(getenv("SIMAVR_PRINTER_PEEK"), NULL, 16);
        fprintf(stderr, "ram[0x%x..]:", addr);
        for (int k = 0; k < 24; k++)
            fprintf(stderr, " %02x", avr->data[addr + k]);
        fprintf(stderr, "\n");
    }
    write_report();
    if (profile_path) {
        FILE *f = fopen(profile_path, "w");
        for (uint32_t w = 0; f && w < PROFILE_WORDS; w++)
            if (profile[w])
                fprintf(f, "%x %llu\n", w * 2, (unsigned long long)profile[w]);
        if (f)
            fclose(f);
    }
    if (link_path)
        unlink(link_path);
    return state == cpu_Crashed ? 1 : 0;
}
