// Host unit test of the STM32 USB CDC-ACM class layer (firmware/boards/stm32/usb/usb_cdc.c),
// compiled with the host compiler exactly as it runs on the chip. This file plays the
// endpoint driver (the usbd_* side of usb_device.h): it records every packet the class queues
// and delivers packets when a test says the host took them. It checks that the descriptors
// are valid USB/CDC descriptors and that the control requests a host sends to enumerate and
// open the port get the right answers. Exit status 0 = all passed; prints "N checks, M failed".
// Not covered here: the OTG_FS register driver (usb_otg_fs.c), which needs the chip.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "usb_device.h"

static int failures, checks;
static const char *current_test;
static int test_failures_at_start;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    printf("FAIL %s (%s:%d): ", current_test, __FILE__, __LINE__); printf(__VA_ARGS__); \
    printf("\n"); } } while (0)
static void begin(const char *name) { current_test = name; test_failures_at_start = failures; }
static void end(void) { if (failures == test_failures_at_start) printf("ok   %s\n", current_test); }

// ---- the fake endpoint driver: a log of what the class asked for ----
struct packet { uint8_t ep; uint16_t len; uint8_t data[64]; };
static struct packet sent[64];
static int sent_count;
static int busy[4];              // an IN packet not yet taken by the host
static int stalled, address = -1, configured_calls, configured_value = -1;
static int address_at_packet = -1;  // sent_count when SET_ADDRESS reached the driver
static uint8_t host_out[64];
static int host_out_len = -1;    // a bulk OUT packet waiting for the class
static uint8_t rx_bytes[1024];
static int rx_len;
static const uint8_t chip_id[12] = {0x32, 0x00, 0x3a, 0x00, 0x0d, 0x51, 0x36, 0x34, 0x39, 0x38, 0x36, 0xa1};

int usbd_ep_write(uint8_t ep, const uint8_t *data, uint_fast16_t len)
{
    if (ep > 3 || len > 64 || sent_count == 64) {
        printf("FAIL driver misuse: ep %u len %u\n", ep, (unsigned)len);
        exit(2);
    }
    if (busy[ep])
        return -1;
    busy[ep] = 1;
    struct packet *p = &sent[sent_count++];
    p->ep = ep;
    p->len = (uint16_t)len;
    if (len)
        memcpy(p->data, data, len);
    return (int)len;
}

int usbd_ep_read(uint8_t ep, uint8_t *data, uint_fast16_t max)
{
    if (ep != USB_CDC_DATA_EP || host_out_len < 0)
        return -1;
    int n = host_out_len < (int)max ? host_out_len : (int)max;
    memcpy(data, host_out, (size_t)n);
    host_out_len = -1;
    return n;
}

void usbd_ep0_stall(void) { stalled = 1; }
void usbd_set_address(uint8_t addr) { address = addr; address_at_packet = sent_count; }
void usbd_set_configured(int c) { configured_calls++; configured_value = c; }
void usbd_unique_id(uint8_t id[12]) { memcpy(id, chip_id, 12); }
void usb_cdc_rx(const uint8_t *data, uint_fast16_t len)
{
    memcpy(rx_bytes + rx_len, data, len);
    rx_len += (int)len;
}

static void clear_log(void)
{
    sent_count = 0;
    memset(busy, 0, sizeof(busy));
    stalled = 0;
}

// The host takes EP0's pending IN packet (the class may then queue the next).
static void host_takes_ep0(void)
{
    busy[0] = 0;
    usb_cdc_ep0_in_done();
}

// Run a control request with an IN data stage and collect the reply as the host would:
// packets until a short one (or wLength bytes). Returns the length, -1 on STALL.
static int control_in(uint8_t bm, uint8_t req, uint16_t value, uint16_t index, uint16_t length,
                      uint8_t *out, int *packets)
{
    clear_log();
    uint8_t setup[8] = {bm, req, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index,
                        (uint8_t)(index >> 8), (uint8_t)length, (uint8_t)(length >> 8)};
    usb_cdc_setup(setup);
    if (stalled)
        return -1;
    int total = 0, n = 0;
    for (int i = 0; i < sent_count; i++) {
        struct packet *p = &sent[i];
        if (p->ep != 0)
            break;
        memcpy(out + total, p->data, p->len);
        total += p->len;
        n++;
        host_takes_ep0();
        if (p->len < USB_EP0_SIZE || total >= length)
            break;
    }
    usb_cdc_ep0_out(0, 0);  // the host's status stage
    if (packets)
        *packets = n;
    return total;
}

// A request without data stage: 1 = acknowledged by a status ZLP, 0 = STALL, -1 = neither.
static int control_nodata(uint8_t bm, uint8_t req, uint16_t value, uint16_t index)
{
    clear_log();
    uint8_t setup[8] = {bm, req, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index, (uint8_t)(index >> 8), 0, 0};
    usb_cdc_setup(setup);
    if (stalled)
        return 0;
    int ok = sent_count == 1 && sent[0].ep == 0 && sent[0].len == 0;
    if (ok)
        host_takes_ep0();
    return ok ? 1 : -1;
}

static int get_descriptor(uint8_t type, uint8_t index, uint16_t length, uint8_t *out, int *packets)
{
    return control_in(0x80, 6, (uint16_t)(type << 8 | index), type == 3 && index ? 0x0409 : 0, length, out, packets);
}

static unsigned le16(const uint8_t *p) { return (unsigned)(p[0] | p[1] << 8); }

// ---- tests ----
static void test_device_descriptor(void)
{
    begin("device descriptor");
    usb_cdc_reset();
    uint8_t d[256];
    int n = get_descriptor(1, 0, 64, d, 0);  // Linux asks for 64 first
    CHECK(n == 18, "length %d, expected 18", n);
    CHECK(d[0] == 18 && d[1] == 1, "bLength %u bDescriptorType %u", d[0], d[1]);
    CHECK(le16(d + 2) == 0x0200, "bcdUSB %04x", le16(d + 2));
    CHECK(d[4] == 0x02, "bDeviceClass %u (CDC is 2)", d[4]);
    CHECK(d[7] == USB_EP0_SIZE, "bMaxPacketSize0 %u", d[7]);
    CHECK(le16(d + 8) == 0x1209 && le16(d + 10) == 0x0001, "VID:PID %04x:%04x", le16(d + 8), le16(d + 10));
    CHECK(d[14] == 1 && d[15] == 2 && d[16] == 3, "string indexes %u %u %u", d[14], d[15], d[16]);
    CHECK(d[17] == 1, "bNumConfigurations %u", d[17]);
    n = get_descriptor(1, 0, 8, d, 0);  // Windows' first request: 8 bytes only
    CHECK(n == 8, "wLength 8 gave %d bytes", n);
    end();
}

static void test_config_descriptor(void)
{
    begin("configuration descriptor");
    uint8_t d[512];
    int packets = 0;
    int n = get_descriptor(2, 0, 9, d, 0);
    CHECK(n == 9, "header length %d", n);
    unsigned total = le16(d + 2);
    CHECK(total > 9 && total < 256, "wTotalLength %u", total);
    n = get_descriptor(2, 0, 255, d, &packets);
    CHECK(n == (int)total, "full read %d bytes, wTotalLength %u", n, total);
    CHECK(packets == (n + 63) / 64, "%d packets for %d bytes", packets, n);
    // wLength 64 of 67 bytes: one full packet ends the transfer (no ZLP: wLength was reached).
    unsigned char part[64];
    int part_len = get_descriptor(2, 0, 64, part, &packets);
    CHECK(part_len == 64 && packets == 1 && sent_count == 1, "wLength 64: %d bytes in %d packets, %d sent", part_len,
          packets, sent_count);
    CHECK(!memcmp(part, d, 64), "the first 64 bytes are the same");
    CHECK(d[0] == 9 && d[1] == 2, "bLength %u type %u", d[0], d[1]);
    CHECK(d[4] == 2, "bNumInterfaces %u (CDC-ACM: communication + data)", d[4]);
    CHECK(d[5] == 1, "bConfigurationValue %u", d[5]);
    CHECK(d[7] & 0x80, "bmAttributes %02x: bit 7 must be set", d[7]);

    // Walk every descriptor: lengths add up, endpoint counts match their interfaces.
    int interfaces = 0, endpoints_declared = 0, endpoints_seen = 0, header = 0, acm = 0, union_ok = 0, callmgmt = 0;
    int cur_class = -1, bulk_in = 0, bulk_out = 0, intr_in = 0;
    unsigned off = 0, seen_addr = 0;
    while (off < (unsigned)n) {
        uint8_t len = d[off], type = d[off + 1];
        CHECK(len >= 2 && off + len <= (unsigned)n, "descriptor at %u: bLength %u overruns %d", off, len, n);
        if (len < 2)
            break;
        if (type == 4) {
            CHECK(len == 9, "interface bLength %u", len);
            CHECK(endpoints_seen == endpoints_declared, "interface before %u: %d endpoints, declared %d", off,
                  endpoints_seen, endpoints_declared);
            CHECK(d[off + 2] == interfaces, "bInterfaceNumber %u, expected %d", d[off + 2], interfaces);
            interfaces++;
            endpoints_declared += d[off + 4];
            cur_class = d[off + 5];
            if (cur_class == 2)
                CHECK(d[off + 6] == 2, "communication interface subclass %u (ACM is 2)", d[off + 6]);
            else
                CHECK(cur_class == 0x0A, "interface class %d (expected 2 or 0x0A)", cur_class);
        } else if (type == 5) {
            CHECK(len == 7, "endpoint bLength %u", len);
            endpoints_seen++;
            uint8_t addr = d[off + 2], attr = d[off + 3];
            unsigned mps = le16(d + off + 4);
            unsigned bit = 1u << ((addr & 15) + (addr & 0x80 ? 16 : 0));
            CHECK(!(seen_addr & bit), "endpoint %02x declared twice", addr);
            seen_addr |= bit;
            CHECK((addr & 15) != 0 && (addr & 0x70) == 0, "endpoint address %02x", addr);
            CHECK(mps > 0 && mps <= 64, "endpoint %02x max packet %u (full speed <= 64)", addr, mps);
            if (attr == 2) {
                CHECK(cur_class == 0x0A, "bulk endpoint %02x outside the data interface", addr);
                CHECK(mps == 64, "bulk max packet %u", mps);
                if (addr & 0x80)
                    bulk_in++;
                else
                    bulk_out++;
            } else if (attr == 3) {
                CHECK(cur_class == 2 && (addr & 0x80), "interrupt endpoint %02x", addr);
                CHECK(d[off + 6] >= 1, "interrupt bInterval %u", d[off + 6]);
                intr_in++;
            } else {
                CHECK(0, "endpoint %02x type %u", addr, attr);
            }
        } else if (type == 0x24) {
            CHECK(cur_class == 2, "CDC functional descriptor outside the communication interface");
            uint8_t sub = d[off + 2];
            if (sub == 0) {
                header++;
                CHECK(len == 5 && le16(d + off + 3) >= 0x0110, "CDC header bLength %u bcdCDC %04x", len, le16(d + off + 3));
            } else if (sub == 1) {
                callmgmt++;
                CHECK(len == 5 && d[off + 4] == 1, "call management data interface %u", d[off + 4]);
            } else if (sub == 2) {
                acm++;
                CHECK(len == 4 && (d[off + 3] & 0x02), "ACM capabilities %02x: line coding bit", d[off + 3]);
            } else if (sub == 6) {
                union_ok = len == 5 && d[off + 3] == 0 && d[off + 4] == 1;
                CHECK(union_ok, "union master %u slave %u", d[off + 3], d[off + 4]);
            } else {
                CHECK(0, "unknown CDC subtype %u", sub);
            }
        } else if (off != 0) {
            CHECK(0, "unexpected descriptor type %u at %u", type, off);
        }
        off += len;
    }
    CHECK(off == total, "descriptors add up to %u, wTotalLength %u", off, total);
    CHECK(interfaces == d[4], "%d interfaces, bNumInterfaces %u", interfaces, d[4]);
    CHECK(endpoints_seen == endpoints_declared, "%d endpoints, declared %d", endpoints_seen, endpoints_declared);
    CHECK(bulk_in == 1 && bulk_out == 1 && intr_in == 1, "bulk in %d out %d interrupt %d", bulk_in, bulk_out, intr_in);
    CHECK(header == 1 && acm == 1 && callmgmt == 1 && union_ok, "CDC functional descriptors: header %d acm %d call %d union %d",
          header, acm, callmgmt, union_ok);
    // The endpoints the descriptors declare are the ones the class uses.
    CHECK(seen_addr & (1u << USB_CDC_DATA_EP) && seen_addr & (1u << (16 + USB_CDC_DATA_EP)) &&
              seen_addr & (1u << (16 + USB_CDC_NOTIFY_EP)), "endpoint map %08x", seen_addr);
    end();
}

static void check_string(uint8_t index, const char *expect)
{
    uint8_t d[256];
    int n = get_descriptor(3, index, 255, d, 0);
    size_t len = strlen(expect);
    CHECK(n == (int)(2 + 2 * len), "string %u: %d bytes, expected %zu", index, n, 2 + 2 * len);
    CHECK(d[0] == n && d[1] == 3, "string %u: bLength %u type %u", index, d[0], d[1]);
    for (size_t i = 0; i < len && (int)(2 + 2 * i) < n; i++)
        CHECK(d[2 + 2 * i] == (uint8_t)expect[i] && d[3 + 2 * i] == 0, "string %u char %zu: %02x %02x, expected '%c'",
              index, i, d[2 + 2 * i], d[3 + 2 * i], expect[i]);
}

static void test_strings(void)
{
    begin("string descriptors UTF-16LE");
    uint8_t d[256];
    int n = get_descriptor(3, 0, 255, d, 0);
    CHECK(n == 4 && d[0] == 4 && d[1] == 3 && le16(d + 2) == 0x0409, "language list: %d bytes, id %04x", n, le16(d + 2));
    check_string(1, "Tether");
    check_string(2, "Tether");
    check_string(3, "32003A000D513634393836A1");  // the chip id bytes in address order, as hex
    n = get_descriptor(3, 1, 4, d, 0);
    CHECK(n == 4, "wLength 4 gave %d bytes", n);
    CHECK(get_descriptor(3, 4, 255, d, 0) == -1, "string 4 does not exist: STALL");
    CHECK(get_descriptor(6, 0, 10, d, 0) == -1, "device qualifier on a full-speed device: STALL");
    CHECK(get_descriptor(7, 0, 9, d, 0) == -1, "other-speed configuration: STALL");
    end();
}

static void test_address_and_configuration(void)
{
    begin("SET_ADDRESS and SET_CONFIGURATION");
    usb_cdc_reset();
    CHECK(control_nodata(0x00, 5, 23, 0) == 1, "SET_ADDRESS acknowledged");
    CHECK(address == 23, "address %d", address);
    CHECK(address_at_packet == 0, "address set before the status stage (after %d packets)", address_at_packet);
    CHECK(control_nodata(0x00, 5, 200, 0) == 0, "address 200 is out of range: STALL");
    uint8_t d[8];
    CHECK(control_in(0x80, 8, 0, 0, 1, d, 0) == 1 && d[0] == 0, "GET_CONFIGURATION before: %u", d[0]);
    CHECK(!usb_cdc_configured(), "configured before SET_CONFIGURATION");
    CHECK(control_nodata(0x00, 9, 1, 0) == 1, "SET_CONFIGURATION 1 acknowledged");
    CHECK(configured_value == 1 && usb_cdc_configured(), "driver told %d, class %d", configured_value, usb_cdc_configured());
    CHECK(control_in(0x80, 8, 0, 0, 1, d, 0) == 1 && d[0] == 1, "GET_CONFIGURATION after: %u", d[0]);
    CHECK(control_nodata(0x00, 9, 2, 0) == 0, "configuration 2 does not exist: STALL");
    CHECK(control_in(0x80, 0, 0, 0, 2, d, 0) == 2 && d[0] == 1 && d[1] == 0, "GET_STATUS device %02x %02x", d[0], d[1]);
    CHECK(control_in(0x81, 10, 0, 1, 1, d, 0) == 1 && d[0] == 0, "GET_INTERFACE 1: %u", d[0]);
    CHECK(control_nodata(0x01, 11, 0, 1) == 1, "SET_INTERFACE alt 0 acknowledged");
    CHECK(control_nodata(0x01, 11, 1, 1) == 0, "SET_INTERFACE alt 1: STALL");
    CHECK(control_nodata(0x02, 1, 0, 0x81) == 1, "CLEAR_FEATURE(ENDPOINT_HALT) acknowledged");
    CHECK(control_nodata(0x40, 1, 0, 0) == 0, "vendor request: STALL");
    CHECK(control_nodata(0x00, 9, 0, 0) == 1 && !usb_cdc_configured() && configured_value == 0,
          "SET_CONFIGURATION 0 deconfigures");
    control_nodata(0x00, 9, 1, 0);
    usb_cdc_reset();
    CHECK(!usb_cdc_configured(), "a bus reset deconfigures");
    end();
}

static void test_cdc_requests(void)
{
    begin("CDC line coding and control lines");
    usb_cdc_reset();
    control_nodata(0x00, 9, 1, 0);
    uint8_t d[16];
    int n = control_in(0xA1, 0x21, 0, 0, 7, d, 0);
    CHECK(n == 7 && d[6] == 8, "GET_LINE_CODING: %d bytes, %u data bits", n, d[6]);
    // SET_LINE_CODING: 115200 8N1. No status until the 7 data bytes arrive.
    clear_log();
    uint8_t setup[8] = {0x21, 0x20, 0, 0, 0, 0, 7, 0};
    usb_cdc_setup(setup);
    CHECK(sent_count == 0 && !stalled, "before the data stage: %d packets, stall %d", sent_count, stalled);
    const uint8_t coding[7] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8};
    usb_cdc_ep0_out(coding, 7);
    CHECK(sent_count == 1 && sent[0].ep == 0 && sent[0].len == 0, "status ZLP after the data: %d packets", sent_count);
    host_takes_ep0();
    n = control_in(0xA1, 0x21, 0, 0, 7, d, 0);
    CHECK(n == 7 && !memcmp(d, coding, 7), "GET_LINE_CODING returns what was set (%d bytes)", n);
    CHECK(control_nodata(0x21, 0x22, 3, 0) == 1 && usb_cdc_control_lines() == 3, "SET_CONTROL_LINE_STATE DTR+RTS: %u",
          usb_cdc_control_lines());
    CHECK(control_nodata(0x21, 0x22, 0, 0) == 1 && usb_cdc_control_lines() == 0, "DTR dropped: %u", usb_cdc_control_lines());
    CHECK(control_nodata(0x21, 0x23, 0, 0) == 1, "SEND_BREAK acknowledged");
    CHECK(control_nodata(0x21, 0x22, 1, 1) == 0, "a CDC request to the data interface: STALL");
    CHECK(control_nodata(0x21, 0x7f, 0, 0) == 0, "unknown CDC request: STALL");
    clear_log();
    uint8_t bad[8] = {0x21, 0x20, 0, 0, 0, 0, 6, 0};
    usb_cdc_setup(bad);
    CHECK(stalled, "SET_LINE_CODING with wLength 6: STALL");
    end();
}

static void test_bulk(void)
{
    begin("bulk data both ways");
    usb_cdc_reset();
    // Not configured: nothing moves and the host's packet stays with the driver.
    host_out_len = 3;
    memcpy(host_out, "abc", 3);
    rx_len = 0;
    clear_log();
    usb_cdc_poll();
    CHECK(rx_len == 0 && host_out_len == 3, "unconfigured poll moved data (rx %d)", rx_len);
    control_nodata(0x00, 9, 1, 0);
    clear_log();
    usb_cdc_poll();
    CHECK(rx_len == 3 && !memcmp(rx_bytes, "abc", 3), "received %d bytes", rx_len);
    CHECK(host_out_len == -1, "the OUT packet was taken");

    // A Klipper identify frame split over OUT packets arrives whole and in order.
    const uint8_t frame[] = {0x08, 0x11, 0x01, 0x00, 0x28, 0x42, 0x24, 0x7e};
    rx_len = 0;
    for (int i = 0; i < 8; i += 3) {
        host_out_len = i + 3 <= 8 ? 3 : 8 - i;
        memcpy(host_out, frame + i, (size_t)host_out_len);
        usb_cdc_poll();
    }
    CHECK(rx_len == 8 && !memcmp(rx_bytes, frame, 8), "frame arrived as %d bytes", rx_len);

    // 100 bytes to the host: a full packet, then (after the host takes it) the 36 left.
    uint8_t out[600];
    for (int i = 0; i < 600; i++)
        out[i] = (uint8_t)(i * 7);
    clear_log();
    CHECK(usb_cdc_write(out, 100) == 100, "100 bytes queued");
    usb_cdc_poll();
    usb_cdc_poll();  // still busy: no second packet yet
    CHECK(sent_count == 1 && sent[0].ep == USB_CDC_DATA_EP && sent[0].len == 64, "first packet: %d sent, len %u",
          sent_count, sent[0].len);
    busy[USB_CDC_DATA_EP] = 0;
    usb_cdc_poll();
    CHECK(sent_count == 2 && sent[1].len == 36, "second packet len %u", sent[1].len);
    CHECK(!memcmp(sent[0].data, out, 64) && !memcmp(sent[1].data, out + 64, 36), "bytes in order");
    busy[USB_CDC_DATA_EP] = 0;
    usb_cdc_poll();
    CHECK(sent_count == 2, "a short packet ends the transfer: no ZLP (%d sent)", sent_count);

    // Exactly 64 bytes: the full packet is followed by a zero-length packet.
    clear_log();
    usb_cdc_write(out, 64);
    usb_cdc_poll();
    busy[USB_CDC_DATA_EP] = 0;
    usb_cdc_poll();
    CHECK(sent_count == 2 && sent[0].len == 64 && sent[1].len == 0, "64 bytes then ZLP: %d packets", sent_count);

    // The ring holds 511 bytes; the rest is refused (the board waits and retries).
    clear_log();
    int took = (int)usb_cdc_write(out, 600);
    CHECK(took == 511, "ring took %d of 600", took);
    int total = 0;
    for (int i = 0; i < 20 && sent_count < 64; i++) {
        usb_cdc_poll();
        busy[USB_CDC_DATA_EP] = 0;
    }
    for (int i = 0; i < sent_count; i++) {
        CHECK(!memcmp(sent[i].data, out + total, sent[i].len), "packet %d bytes differ", i);
        total += sent[i].len;
    }
    CHECK(total == 511, "drained %d bytes", total);
    end();
}

int main(void)
{
    test_device_descriptor();
    test_config_descriptor();
    test_strings();
    test_address_and_configuration();
    test_cdc_requests();
    test_bulk();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
