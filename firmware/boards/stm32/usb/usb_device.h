#ifndef STM32_USB_DEVICE_H
#define STM32_USB_DEVICE_H
// The seam between the USB peripheral driver (usb_otg_fs.c, registers) and the CDC-ACM class
// (usb_cdc.c, no registers). The class layer is compiled unchanged into a host unit test
// (test/firmware/c/usb_cdc_test.c) that implements the usbd_* side; keep register access out
// of usb_cdc.c.
#include <stdint.h>

#define USB_EP0_SIZE 64
#define USB_CDC_NOTIFY_EP 2   // interrupt IN (serial-state notifications; never sent)
#define USB_CDC_NOTIFY_SIZE 8
#define USB_CDC_DATA_EP 1     // bulk IN and OUT
#define USB_CDC_DATA_SIZE 64

// ---- the driver, called by the class ----
// Queue one packet (len <= the endpoint's max packet size; 0 = zero-length packet) on IN
// endpoint ep. Returns len, or -1 while the endpoint's previous packet is still unsent.
int usbd_ep_write(uint8_t ep, const uint8_t *data, uint_fast16_t len);
// Take the packet waiting on OUT endpoint ep (ep >= 1) and let the host send the next one.
// Returns its length (0..max), or -1 when none has arrived.
int usbd_ep_read(uint8_t ep, uint8_t *data, uint_fast16_t max);
// Refuse the current control request (STALL on EP0 both ways until the next SETUP).
void usbd_ep0_stall(void);
// SET_ADDRESS: called before the status stage is queued (the OTG core wants the address set
// then; it keeps answering on address 0 until the status stage completes).
void usbd_set_address(uint8_t addr);
// SET_CONFIGURATION 1: open the notification and data endpoints; 0: close them.
void usbd_set_configured(int configured);
// The chip's 96-bit unique id, in address order (the USB serial number).
void usbd_unique_id(uint8_t id[12]);

// ---- the class, called by the driver ----
void usb_cdc_reset(void);                                     // bus reset: back to address 0
void usb_cdc_setup(const uint8_t setup[8]);                   // a SETUP packet on EP0
void usb_cdc_ep0_out(const uint8_t *data, uint_fast16_t len);  // EP0 OUT data (0 = status ZLP)
void usb_cdc_ep0_in_done(void);                               // EP0 IN packet delivered
void usb_cdc_poll(void);                                      // move bulk data both ways
// Board-facing serial: queue bytes for the host (returns how many fitted), and the hook that
// receives the host's bytes (the board passes them to the core's command_receive).
uint_fast16_t usb_cdc_write(const uint8_t *data, uint_fast16_t len);
int usb_cdc_configured(void);
uint8_t usb_cdc_control_lines(void);  // DTR bit 0, RTS bit 1 (informational)
void usb_cdc_rx(const uint8_t *data, uint_fast16_t len);

#endif
