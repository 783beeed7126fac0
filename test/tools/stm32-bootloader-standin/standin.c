/*
 * stm32-bootloader-standin: plays an STM32F103 (medium density, product id 0x410) in its ROM
 * serial bootloader on a pseudo terminal, speaking the protocol of ST's application note AN3155.
 * A test tool, never shipped: Debian's stm32flash flashing through it proves the stand-in, then
 * Tether's client is tested against it.
 *
 * Usage: stm32-bootloader-standin [--extended-erase] [--dump FILE] [--link PATH]
 *   --extended-erase  offer command 0x44 (bootloader v3.x) instead of 0x43 (v2.2)
 *   --dump FILE       write the 128 KiB flash to FILE after every Write/Erase and at Go
 *   --link PATH       symlink PATH to the pty
 * Prints "PTY <path>" when ready; logs commands on stderr.
 *
 * Programming over unerased flash ANDs the bits, as on the chip, so a missing erase fails the
 * verify. Parity cannot be checked: Linux ptys clear PARENB from the line settings, so clients
 * run 8N1 on the pty (stm32flash with -m 8n1); on a real adapter they use 8E1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ACK 0x79
#define NACK 0x1F
#define FLASH_BASE 0x08000000u
#define FLASH_BYTES (128u * 1024u)
#define PAGE_BYTES 1024u

static uint8_t flash_mem[FLASH_BYTES];
static int fd = -1;
static int extended_erase;
static const char *dump_path;
static int initialised;
static int running_app; /* after Go: the bootloader is gone until the process restarts */

/* Written to a temporary file and renamed, so a reader never sees a half-written dump. */
static void dump(void) {
  if (!dump_path) return;
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", dump_path);
  FILE *f = fopen(tmp, "wb");
  if (!f) return;
  fwrite(flash_mem, 1, FLASH_BYTES, f);
  fclose(f);
  rename(tmp, dump_path);
}

/* One byte from the host, or -1 after timeout_ms / when the host closed the port. */
static int get(int timeout_ms) {
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0) return -1;
    if (p.revents & POLLHUP) {
      usleep(20000);
      initialised = 0;
      return -2;
    }
    uint8_t b;
    if (read(fd, &b, 1) != 1) return -1;
    return b;
  }
}

static void put(uint8_t b) {
  if (write(fd, &b, 1) != 1) perror("standin: write");
}

static int get_address(uint32_t *addr) {
  uint8_t b[5];
  for (int i = 0; i < 5; i++) {
    int c = get(1000);
    if (c < 0) return 0;
    b[i] = (uint8_t)c;
  }
  if ((b[0] ^ b[1] ^ b[2] ^ b[3]) != b[4]) return 0;
  *addr = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  return 1;
}

static int in_flash(uint32_t addr, uint32_t len) {
  return addr >= FLASH_BASE && addr + len <= FLASH_BASE + FLASH_BYTES;
}

static void erase_page(unsigned page) {
  if (page < FLASH_BYTES / PAGE_BYTES) memset(flash_mem + page * PAGE_BYTES, 0xff, PAGE_BYTES);
}

static void cmd_get(void) {
  const uint8_t cmds[] = {0x00, 0x01, 0x02, 0x11, 0x21, 0x31, (uint8_t)(extended_erase ? 0x44 : 0x43), 0x63, 0x73, 0x82, 0x92};
  put(ACK);
  put(sizeof cmds);                 /* number of bytes that follow, minus one */
  put(extended_erase ? 0x31 : 0x22); /* bootloader version */
  for (unsigned i = 0; i < sizeof cmds; i++) put(cmds[i]);
  put(ACK);
}

static void cmd_read(void) {
  uint32_t addr;
  put(ACK);
  if (!get_address(&addr)) return put(NACK);
  put(ACK);
  int n = get(1000), nc = get(1000);
  if (n < 0 || nc < 0 || (n ^ nc) != 0xff || !in_flash(addr, (uint32_t)n + 1)) return put(NACK);
  put(ACK);
  if (write(fd, flash_mem + (addr - FLASH_BASE), (size_t)n + 1) != n + 1) perror("standin: write");
}

static void cmd_write(void) {
  uint32_t addr;
  uint8_t data[256];
  put(ACK);
  if (!get_address(&addr)) return put(NACK);
  put(ACK);
  int n = get(1000);
  if (n < 0) return put(NACK);
  uint8_t sum = (uint8_t)n;
  for (int i = 0; i <= n; i++) {
    int c = get(1000);
    if (c < 0) return put(NACK);
    data[i] = (uint8_t)c;
    sum ^= (uint8_t)c;
  }
  int check = get(1000);
  if (check < 0 || (uint8_t)check != sum || !in_flash(addr, (uint32_t)n + 1) || (n + 1) % 4) return put(NACK);
  for (int i = 0; i <= n; i++) flash_mem[addr - FLASH_BASE + (uint32_t)i] &= data[i];
  dump();
  put(ACK);
}

static void cmd_erase(void) {
  put(ACK);
  int n = get(1000);
  if (n < 0) return put(NACK);
  if (n == 0xff) {
    if (get(1000) != 0x00) return put(NACK);
    memset(flash_mem, 0xff, sizeof flash_mem);
  } else {
    uint8_t pages[256], sum = (uint8_t)n;
    for (int i = 0; i <= n; i++) {
      int c = get(1000);
      if (c < 0) return put(NACK);
      pages[i] = (uint8_t)c;
      sum ^= (uint8_t)c;
    }
    if (get(1000) != sum) return put(NACK);
    for (int i = 0; i <= n; i++) erase_page(pages[i]);
  }
  dump();
  put(ACK);
}

static void cmd_extended_erase(void) {
  put(ACK);
  int hi = get(1000), lo = get(1000);
  if (hi < 0 || lo < 0) return put(NACK);
  unsigned n = (unsigned)hi << 8 | (unsigned)lo;
  if (n >= 0xfffd) {
    if (get(1000) != (hi ^ lo)) return put(NACK);
    memset(flash_mem, 0xff, sizeof flash_mem);
  } else {
    uint8_t sum = (uint8_t)(hi ^ lo);
    unsigned *pages = calloc(n + 1, sizeof *pages);
    for (unsigned i = 0; i <= n; i++) {
      int a = get(1000), b = get(1000);
      if (a < 0 || b < 0) return free(pages), put(NACK);
      pages[i] = (unsigned)a << 8 | (unsigned)b;
      sum ^= (uint8_t)(a ^ b);
    }
    if (get(1000) != sum) return free(pages), put(NACK);
    for (unsigned i = 0; i <= n; i++) erase_page(pages[i]);
    free(pages);
  }
  dump();
  put(ACK);
}

static void cmd_go(void) {
  uint32_t addr;
  put(ACK);
  if (!get_address(&addr) || !in_flash(addr, 4)) return put(NACK);
  dump();
  put(ACK);
  fprintf(stderr, "standin: Go 0x%08x: running the application\n", addr);
  running_app = 1;
}

static void on_signal(int sig) {
  (void)sig;
  dump();
  _exit(0);
}

int main(int argc, char **argv) {
  const char *link_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--extended-erase")) extended_erase = 1;
    else if (!strcmp(argv[i], "--dump") && i + 1 < argc) dump_path = argv[++i];
    else if (!strcmp(argv[i], "--link") && i + 1 < argc) link_path = argv[++i];
    else {
      fprintf(stderr, "standin: unknown option %s (see the comment in standin.c)\n", argv[i]);
      return 2;
    }
  }
  memset(flash_mem, 0xff, sizeof flash_mem);
  dump();
  fd = posix_openpt(O_RDWR | O_NOCTTY);
  if (fd < 0 || grantpt(fd) || unlockpt(fd)) {
    perror("standin: posix_openpt");
    return 1;
  }
  int slave = open(ptsname(fd), O_RDWR | O_NOCTTY);
  struct termios t;
  if (slave >= 0 && tcgetattr(slave, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
  }
  if (slave >= 0) close(slave);
  if (link_path) {
    unlink(link_path);
    if (symlink(ptsname(fd), link_path)) perror("standin: symlink");
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("PTY %s\n", ptsname(fd));
  fflush(stdout);

  for (;;) {
    int c = get(-1);
    if (c == -2) continue; /* nobody has the port open: wait */
    if (c < 0) continue;
    if (running_app) continue;
    if (!initialised) {
      if (c == 0x7f) {
        initialised = 1;
        put(ACK);
      }
      continue;
    }
    if (c == 0x7f) { /* already measured the baud: the real one NACKs a second 0x7F */
      put(NACK);
      continue;
    }
    int complement = get(1000);
    if (complement < 0 || (c ^ complement) != 0xff) {
      put(NACK);
      continue;
    }
    switch (c) {
      case 0x00: cmd_get(); break;
      case 0x01: put(ACK); put(extended_erase ? 0x31 : 0x22); put(0); put(0); put(ACK); break;
      case 0x02: put(ACK); put(1); put(0x04); put(0x10); put(ACK); break;
      case 0x11: cmd_read(); break;
      case 0x21: cmd_go(); break;
      case 0x31: cmd_write(); break;
      case 0x43: if (extended_erase) put(NACK); else cmd_erase(); break;
      case 0x44: if (extended_erase) cmd_extended_erase(); else put(NACK); break;
      default: put(NACK); break;
    }
  }
}
