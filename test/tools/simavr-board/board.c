/*
 * simavr-board: a simulated AVR board for flashing tests (test tool, never shipped).
 *
 * Runs a real bootloader on a simulated chip (Debian's libsimavr), with UART0 on a pseudo
 * terminal. Like an Arduino's auto-reset capacitor on DTR, the chip is reset each time a program
 * opens the pty. Opens are seen through inotify (IN_OPEN on the pty's device node), which
 * queues every open, so a quick close-and-reopen is never missed the way polling for the
 * master's POLLHUP could miss it on a loaded machine. The simulation is paced to wall-clock time
 * so the bootloaders' timeouts behave as on hardware.
 *
 * Usage: simavr-board --mcu atmega328p [--freq 16000000] [--boot boot.hex] [--app app.hex]
 *                     [--link PATH] [--stuck-bit BYTEADDR] [--dump FILE]
 *   --boot      bootloader image; the reset vector points at its lowest address (BOOTRST fuse)
 *   --app       image preloaded at its own addresses (e.g. a board with firmware and no bootloader)
 *   --link      make PATH a symlink to the pty (tests use a stable name)
 *   --stuck-bit fault injection: bit 0 of that flash byte always reads 0 (a worn flash cell),
 *               so a read-back verify must report a mismatch
 *   --dump      write the whole flash to FILE on SIGTERM/SIGINT
 *   --uart-log  append everything the chip sends to FILE, listened to or not (so a test can
 *               see the firmware start right after flashing without reopening, i.e. resetting)
 * Prints "PTY <path>" on stdout once ready.
 *
 * simavr 1.6 quirks (see shared/STACK.md): none of the bootloaders used here rely on interrupts
 * or on Timer1's write-1-to-clear flags, so the interrupt delay after `sei` and the Timer1 flag
 * fault do not bite. The UART's poll-sleep and stdio flags are cleared so pacing is ours alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <simavr/avr_ioport.h>
#include <simavr/avr_uart.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_hex.h>
#include <simavr/sim_irq.h>
#include <simavr/sim_regbit.h>

#define OUT_CAP 65536
#define IN_CAP 65536

static avr_t *avr;
static int master_fd = -1;
static uint8_t out_buf[OUT_CAP];
static size_t out_len;
static uint8_t in_buf[IN_CAP];
static size_t in_head, in_tail;
static int uart_xon = 1;
static long stuck_bit_addr = -1;
static const char *dump_path;
static const char *link_path;
static FILE *uart_log;
static volatile sig_atomic_t stop_requested;

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)param;
  if (out_len < OUT_CAP) out_buf[out_len++] = (uint8_t)value;
  if (uart_log) {
    fputc((int)value, uart_log);
    fflush(uart_log);
  }
}
static void on_uart_xon(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)value; (void)param;
  uart_xon = 1;
}
static void on_uart_xoff(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)value; (void)param;
  uart_xon = 0;
}

/* The sleep callback would usleep inside avr_run; we pace the whole loop ourselves instead. */
static void no_sleep(avr_t *a, avr_cycle_count_t how_long) { (void)a; (void)how_long; }

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void load_hex(const char *path, uint32_t *lowest) {
  ihex_chunk_p chunks = NULL;
  int n = read_ihex_chunks(path, &chunks);
  if (n <= 0) {
    fprintf(stderr, "simavr-board: cannot read Intel HEX %s\n", path);
    exit(2);
  }
  *lowest = UINT32_MAX;
  for (int i = 0; i < n; i++) {
    if (chunks[i].baseaddr + chunks[i].size > avr->flashend + 1) {
      fprintf(stderr, "simavr-board: %s does not fit in %s flash\n", path, avr->mmcu);
      exit(2);
    }
    memcpy(avr->flash + chunks[i].baseaddr, chunks[i].data, chunks[i].size);
    if (chunks[i].baseaddr < *lowest) *lowest = chunks[i].baseaddr;
  }
  free_ihex_chunks(chunks);
}

/* An external reset (the DTR pulse): the bootloaders look for EXTRF to stay in the loader. */
static void external_reset(void) {
  avr_reset(avr);
  if (avr->reset_flags.extrf.reg) avr_regbit_set(avr, avr->reset_flags.extrf);
  in_head = in_tail = 0;
  out_len = 0;
  uart_xon = 1;
}

static void make_raw(void) {
  /* Raw mode on the slave side so nothing is echoed or translated before the user's program
   * sets its own termios. Opening and closing it once keeps the settings on the pty. */
  int fd = open(ptsname(master_fd), O_RDWR | O_NOCTTY);
  if (fd < 0) return;
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    cfsetspeed(&t, B115200);
    tcsetattr(fd, TCSANOW, &t);
  }
  close(fd);
}

static void dump_flash(void) {
  if (!dump_path) return;
  FILE *f = fopen(dump_path, "wb");
  if (!f) return;
  fwrite(avr->flash, 1, avr->flashend + 1, f);
  fclose(f);
}

int main(int argc, char **argv) {
  const char *mcu = NULL, *boot = NULL, *app = NULL;
  uint32_t freq = 16000000;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--mcu") && v) mcu = v, i++;
    else if (!strcmp(a, "--freq") && v) freq = (uint32_t)strtoul(v, NULL, 0), i++;
    else if (!strcmp(a, "--boot") && v) boot = v, i++;
    else if (!strcmp(a, "--app") && v) app = v, i++;
    else if (!strcmp(a, "--link") && v) link_path = v, i++;
    else if (!strcmp(a, "--stuck-bit") && v) stuck_bit_addr = strtol(v, NULL, 0), i++;
    else if (!strcmp(a, "--dump") && v) dump_path = v, i++;
    else if (!strcmp(a, "--uart-log") && v) {
      uart_log = fopen(v, "ab");
      if (!uart_log) {
        perror("simavr-board: --uart-log");
        return 2;
      }
      i++;
    }
    else {
      fprintf(stderr, "simavr-board: unknown or incomplete option %s (see the comment in board.c)\n", a);
      return 2;
    }
  }
  if (!mcu) {
    fprintf(stderr, "simavr-board: --mcu is required (e.g. atmega328p, atmega2560)\n");
    return 2;
  }
  avr = avr_make_mcu_by_name(mcu);
  if (!avr) {
    fprintf(stderr, "simavr-board: simavr does not know MCU %s\n", mcu);
    return 2;
  }
  avr_init(avr);
  avr->frequency = freq;
  avr->sleep = no_sleep;
  avr->log = 0;
  memset(avr->flash, 0xff, avr->flashend + 1);
  avr->codeend = avr->flashend;

  uint32_t reset_at = 0, lowest;
  if (app) load_hex(app, &lowest);
  if (boot) {
    load_hex(boot, &lowest);
    reset_at = lowest;
  }
  avr->reset_pc = reset_at;

  /* UART0 <-> our buffers. */
  uint32_t flags = 0;
  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~(AVR_UART_FLAG_POLL_SLEEP | AVR_UART_FLAG_STDIO);
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_output, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), on_uart_xon, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), on_uart_xoff, NULL);
  avr_irq_t *uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);

  master_fd = posix_openpt(O_RDWR | O_NOCTTY);
  if (master_fd < 0 || grantpt(master_fd) || unlockpt(master_fd)) {
    perror("simavr-board: posix_openpt");
    return 1;
  }
  fcntl(master_fd, F_SETFL, fcntl(master_fd, F_GETFL) | O_NONBLOCK);
  make_raw();
  int opens_fd = inotify_init1(IN_NONBLOCK);
  if (opens_fd < 0 || inotify_add_watch(opens_fd, ptsname(master_fd), IN_OPEN) < 0) {
    perror("simavr-board: inotify");
    return 1;
  }
  if (link_path) {
    unlink(link_path);
    if (symlink(ptsname(master_fd), link_path)) {
      perror("simavr-board: symlink");
      return 1;
    }
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  printf("PTY %s\n", ptsname(master_fd));
  fflush(stdout);

  external_reset();
  int slave_open = 0;
  const uint64_t slice_cycles = freq / 1000; /* 1 ms of chip time per slice */
  uint64_t start_ns = now_ns();
  uint64_t start_cycle = avr->cycle;

  while (!stop_requested) {
    uint64_t until = avr->cycle + slice_cycles;
    while (avr->cycle < until) {
      int state = avr_run(avr);
      if (state == cpu_Done || state == cpu_Crashed) {
        /* A crashed chip sits dead until the next reset (next open), like a hung board. */
        avr->cycle = until;
        break;
      }
      if (in_head != in_tail && uart_xon) avr_raise_irq(uart_in, in_buf[in_head++ % IN_CAP]);
    }
    if (stuck_bit_addr >= 0 && (uint32_t)stuck_bit_addr <= avr->flashend)
      avr->flash[stuck_bit_addr] &= (uint8_t)~1u;

    char events[4096];
    int opened = 0;
    while (read(opens_fd, events, sizeof events) > 0) opened = 1;
    struct pollfd p = {.fd = master_fd, .events = POLLIN};
    poll(&p, 1, 0);
    slave_open = !(p.revents & POLLHUP);
    if (opened) {
      external_reset();
      start_ns = now_ns();
      start_cycle = avr->cycle;
    }
    if (slave_open) {
      if (p.revents & POLLIN) {
        uint8_t tmp[4096];
        ssize_t n = read(master_fd, tmp, sizeof tmp);
        for (ssize_t i = 0; i < n && in_tail - in_head < IN_CAP; i++) in_buf[in_tail++ % IN_CAP] = tmp[i];
      }
      if (in_head == in_tail) in_head = in_tail = 0;
      if (out_len) {
        ssize_t n = write(master_fd, out_buf, out_len);
        if (n > 0) {
          memmove(out_buf, out_buf + n, out_len - (size_t)n);
          out_len -= (size_t)n;
        }
      }
    } else {
      out_len = 0; /* nobody listening: bytes fall on the floor like on a real adapter */
    }

    /* Pace to wall-clock time: chip time must not run ahead of real time. */
    uint64_t chip_ns = (avr->cycle - start_cycle) * 1000000000ull / freq;
    uint64_t wall_ns = now_ns() - start_ns;
    if (chip_ns > wall_ns + 200000) {
      struct timespec ts = {0, (long)(chip_ns - wall_ns)};
      if (ts.tv_nsec > 999999999) ts.tv_nsec = 999999999;
      nanosleep(&ts, NULL);
    }
  }
  dump_flash();
  if (link_path) unlink(link_path);
  return 0;
}
