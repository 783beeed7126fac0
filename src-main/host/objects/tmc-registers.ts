// Register maps of the Trinamic drivers Tether configures, from the datasheets: register address,
// access, and each field's bit position and width. Field names are the datasheet's, lowercase
// (driver_TOFF in printer.cfg and FIELD=toff in SET_TMC_FIELD name field 'toff').
// `TmcFields` holds a driver's register values and reads/writes fields inside them.

/** r: read only; w: write only (the host keeps the value); rw: both; rc: read, write 1 to clear. */
export type RegisterAccess = 'r' | 'w' | 'rw' | 'rc';

/** [shift, width] or [shift, width, 'signed'] (two's complement in `width` bits). */
type FieldBits = readonly [number, number] | readonly [number, number, 'signed'];

export interface RegisterDef {
  addr: number;
  access: RegisterAccess;
  fields: Record<string, FieldBits>;
}

export type TmcChipName = 'tmc2208' | 'tmc2209' | 'tmc2130' | 'tmc5160' | 'tmc2240' | 'tmc2660';

export interface TmcChipDef {
  name: TmcChipName;
  registers: Record<string, RegisterDef>;
  /** Internal clock (Hz): TSTEP, TPWMTHRS, TCOOLTHRS and THIGH count its periods. */
  clockHz: number;
  /** 'either': UART when uart_pin is given, else SPI (TMC2240); 'spi20': 20-bit datagrams (TMC2660). */
  bus: 'uart' | 'spi' | 'either' | 'spi20';
  /** Klipper's documented driver_XXX defaults (Config_Reference), by field. */
  defaults: Record<string, number>;
  /** Highest run_current (A rms) accepted. */
  maxCurrentA: number;
  senseResistorOhm: number;
  /** How the current is set: IRUN/IHOLD scaled by CHOPCONF.vsense, or by GLOBALSCALER; 'cs':
   * one current scale (SGCSCONF.cs, DRVCONF.vsense) and no hold current (TMC2660). */
  currentScale: 'vsense' | 'globalscaler' | 'rref' | 'cs';
  /** The register whose fields report driver errors (DRV_STATUS; a read response on the TMC2660). */
  statusRegister?: string;
  /** DRV_STATUS fields that mean the driver stopped driving the motor (shutdown). */
  errorFields: string[];
  /** Registers written at init, in order (all writable registers the host keeps). */
  initRegisters: string[];
}

const bit = (shift: number): FieldBits => [shift, 1];

const IHOLD_IRUN: RegisterDef = { addr: 0x10, access: 'w', fields: { ihold: [0, 5], irun: [8, 5], iholddelay: [16, 4] } };
const TPOWERDOWN: RegisterDef = { addr: 0x11, access: 'w', fields: { tpowerdown: [0, 8] } };
const TSTEP: RegisterDef = { addr: 0x12, access: 'r', fields: { tstep: [0, 20] } };
const TPWMTHRS: RegisterDef = { addr: 0x13, access: 'w', fields: { tpwmthrs: [0, 20] } };
const TCOOLTHRS: RegisterDef = { addr: 0x14, access: 'w', fields: { tcoolthrs: [0, 20] } };
const THIGH: RegisterDef = { addr: 0x15, access: 'w', fields: { thigh: [0, 20] } };
const GSTAT: RegisterDef = { addr: 0x01, access: 'rc', fields: { reset: bit(0), drv_err: bit(1), uv_cp: bit(2) } };
const IFCNT: RegisterDef = { addr: 0x02, access: 'r', fields: { ifcnt: [0, 8] } };
const MSCNT: RegisterDef = { addr: 0x6a, access: 'r', fields: { mscnt: [0, 10] } };
const MSCURACT: RegisterDef = { addr: 0x6b, access: 'r', fields: { cur_a: [0, 9, 'signed'], cur_b: [16, 9, 'signed'] } };
const COOLCONF_SG2: RegisterDef = {
  addr: 0x6d,
  access: 'w',
  fields: { semin: [0, 4], seup: [5, 2], semax: [8, 4], sedn: [13, 2], seimin: bit(15), sgt: [16, 7, 'signed'], sfilt: bit(24) },
};

const IOIN_220X_FIELDS: Record<string, FieldBits> = {
  enn: bit(0),
  ms1: bit(2),
  ms2: bit(3),
  diag: bit(4),
  pdn_uart: bit(6),
  step: bit(7),
  dir: bit(9),
  version: [24, 8],
};

// TMC2208 / TMC2225 (same register set) and TMC2209 (adds StallGuard4 and CoolStep).
const TMC2208_REGISTERS: Record<string, RegisterDef> = {
  GCONF: {
    addr: 0x00,
    access: 'rw',
    fields: {
      i_scale_analog: bit(0),
      internal_rsense: bit(1),
      en_spreadcycle: bit(2),
      shaft: bit(3),
      index_otpw: bit(4),
      index_step: bit(5),
      pdn_disable: bit(6),
      mstep_reg_select: bit(7),
      multistep_filt: bit(8),
      test_mode: bit(9),
    },
  },
  GSTAT,
  IFCNT,
  SLAVECONF: { addr: 0x03, access: 'w', fields: { senddelay: [8, 4] } },
  OTP_READ: {
    addr: 0x05,
    access: 'r',
    fields: {
      otp_fclktrim: [0, 5],
      otp_ottrim: bit(5),
      otp_internalrsense: bit(6),
      otp_tbl: bit(7),
      otp_pwm_grad: [8, 4],
      otp_pwm_autograd: bit(12),
      otp_tpwmthrs: [13, 3],
      otp_pwm_ofs: bit(16),
      otp_pwm_reg: bit(17),
      otp_pwm_freq: bit(18),
      otp_iholddelay: [19, 2],
      otp_ihold: [21, 2],
      otp_en_spreadcycle: bit(23),
    },
  },
  // Pin 8 is SEL_A on the TMC2208/2225 (which of the two it is), SPREAD on the TMC2209.
  IOIN: { addr: 0x06, access: 'r', fields: { ...IOIN_220X_FIELDS, sel_a: bit(8) } },
  FACTORY_CONF: { addr: 0x07, access: 'rw', fields: { fclktrim: [0, 5], ottrim: [8, 2] } },
  IHOLD_IRUN,
  TPOWERDOWN,
  TSTEP,
  TPWMTHRS,
  VACTUAL: { addr: 0x22, access: 'w', fields: { vactual: [0, 24, 'signed'] } },
  MSCNT,
  MSCURACT,
  CHOPCONF: {
    addr: 0x6c,
    access: 'rw',
    fields: {
      toff: [0, 4],
      hstrt: [4, 3],
      hend: [7, 4],
      tbl: [15, 2],
      vsense: bit(17),
      mres: [24, 4],
      intpol: bit(28),
      dedge: bit(29),
      diss2g: bit(30),
      diss2vs: bit(31),
    },
  },
  DRV_STATUS: {
    addr: 0x6f,
    access: 'r',
    fields: {
      otpw: bit(0),
      ot: bit(1),
      s2ga: bit(2),
      s2gb: bit(3),
      s2vsa: bit(4),
      s2vsb: bit(5),
      ola: bit(6),
      olb: bit(7),
      t120: bit(8),
      t143: bit(9),
      t150: bit(10),
      t157: bit(11),
      cs_actual: [16, 5],
      stealth: bit(30),
      stst: bit(31),
    },
  },
  PWMCONF: {
    addr: 0x70,
    access: 'rw',
    fields: {
      pwm_ofs: [0, 8],
      pwm_grad: [8, 8],
      pwm_freq: [16, 2],
      pwm_autoscale: bit(18),
      pwm_autograd: bit(19),
      freewheel: [20, 2],
      pwm_reg: [24, 4],
      pwm_lim: [28, 4],
    },
  },
  PWM_SCALE: { addr: 0x71, access: 'r', fields: { pwm_scale_sum: [0, 8], pwm_scale_auto: [16, 9, 'signed'] } },
  PWM_AUTO: { addr: 0x72, access: 'r', fields: { pwm_ofs_auto: [0, 8], pwm_grad_auto: [16, 8] } },
};

const TMC2209_REGISTERS: Record<string, RegisterDef> = {
  ...TMC2208_REGISTERS,
  IOIN: { addr: 0x06, access: 'r', fields: { ...IOIN_220X_FIELDS, spread_en: bit(8) } },
  TCOOLTHRS,
  SGTHRS: { addr: 0x40, access: 'w', fields: { sgthrs: [0, 8] } },
  SG_RESULT: { addr: 0x41, access: 'r', fields: { sg_result: [0, 10] } },
  COOLCONF: { addr: 0x42, access: 'w', fields: { semin: [0, 4], seup: [5, 2], semax: [8, 4], sedn: [13, 2], seimin: bit(15) } },
};

const TMC2130_REGISTERS: Record<string, RegisterDef> = {
  GCONF: {
    addr: 0x00,
    access: 'rw',
    fields: {
      i_scale_analog: bit(0),
      internal_rsense: bit(1),
      en_pwm_mode: bit(2),
      enc_commutation: bit(3),
      shaft: bit(4),
      diag0_error: bit(5),
      diag0_otpw: bit(6),
      diag0_stall: bit(7),
      diag1_stall: bit(8),
      diag1_index: bit(9),
      diag1_onstate: bit(10),
      diag1_steps_skipped: bit(11),
      diag0_int_pushpull: bit(12),
      diag1_pushpull: bit(13),
      small_hysteresis: bit(14),
      stop_enable: bit(15),
      direct_mode: bit(16),
      test_mode: bit(17),
    },
  },
  GSTAT,
  IOIN: {
    addr: 0x04,
    access: 'r',
    fields: { step: bit(0), dir: bit(1), dcen_cfg4: bit(2), dcin_cfg5: bit(3), drv_enn_cfg6: bit(4), dco: bit(5), version: [24, 8] },
  },
  IHOLD_IRUN,
  TPOWERDOWN,
  TSTEP,
  TPWMTHRS,
  TCOOLTHRS,
  THIGH,
  XDIRECT: { addr: 0x2d, access: 'rw', fields: { coil_a: [0, 9, 'signed'], coil_b: [16, 9, 'signed'] } },
  VDCMIN: { addr: 0x33, access: 'w', fields: { vdcmin: [0, 23] } },
  MSCNT,
  MSCURACT,
  CHOPCONF: {
    addr: 0x6c,
    access: 'rw',
    fields: {
      toff: [0, 4],
      hstrt: [4, 3],
      hend: [7, 4],
      fd3: bit(11),
      disfdcc: bit(12),
      rndtf: bit(13),
      chm: bit(14),
      tbl: [15, 2],
      vsense: bit(17),
      vhighfs: bit(18),
      vhighchm: bit(19),
      sync: [20, 4],
      mres: [24, 4],
      intpol: bit(28),
      dedge: bit(29),
      diss2g: bit(30),
    },
  },
  COOLCONF: COOLCONF_SG2,
  DCCTRL: { addr: 0x6e, access: 'w', fields: { dc_time: [0, 10], dc_sg: [16, 8] } },
  DRV_STATUS: {
    addr: 0x6f,
    access: 'r',
    fields: {
      sg_result: [0, 10],
      fsactive: bit(15),
      cs_actual: [16, 5],
      stallguard: bit(24),
      ot: bit(25),
      otpw: bit(26),
      s2ga: bit(27),
      s2gb: bit(28),
      ola: bit(29),
      olb: bit(30),
      stst: bit(31),
    },
  },
  PWMCONF: {
    addr: 0x70,
    access: 'w',
    fields: { pwm_ampl: [0, 8], pwm_grad: [8, 8], pwm_freq: [16, 2], pwm_autoscale: bit(18), pwm_symmetric: bit(19), freewheel: [20, 2] },
  },
  PWM_SCALE: { addr: 0x71, access: 'r', fields: { pwm_scale: [0, 8] } },
  LOST_STEPS: { addr: 0x73, access: 'r', fields: { lost_steps: [0, 20] } },
};

const TMC5160_REGISTERS: Record<string, RegisterDef> = {
  GCONF: {
    addr: 0x00,
    access: 'rw',
    fields: {
      recalibrate: bit(0),
      faststandstill: bit(1),
      en_pwm_mode: bit(2),
      multistep_filt: bit(3),
      shaft: bit(4),
      diag0_error: bit(5),
      diag0_otpw: bit(6),
      diag0_stall: bit(7),
      diag1_stall: bit(8),
      diag1_index: bit(9),
      diag1_onstate: bit(10),
      diag1_steps_skipped: bit(11),
      diag0_int_pushpull: bit(12),
      diag1_poscomp_pushpull: bit(13),
      small_hysteresis: bit(14),
      stop_enable: bit(15),
      direct_mode: bit(16),
      test_mode: bit(17),
    },
  },
  GSTAT,
  IFCNT,
  SLAVECONF: { addr: 0x03, access: 'w', fields: { slaveaddr: [0, 8], senddelay: [8, 4] } },
  IOIN: {
    addr: 0x04,
    access: 'r',
    fields: {
      refl_step: bit(0),
      refr_dir: bit(1),
      encb_dcen_cfg4: bit(2),
      enca_dcin_cfg5: bit(3),
      drv_enn: bit(4),
      enc_n_dco_cfg6: bit(5),
      sd_mode: bit(6),
      swcomp_in: bit(7),
      version: [24, 8],
    },
  },
  FACTORY_CONF: { addr: 0x08, access: 'rw', fields: { factory_conf: [0, 5] } },
  SHORT_CONF: { addr: 0x09, access: 'w', fields: { s2vs_level: [0, 4], s2g_level: [8, 4], shortfilter: [16, 2], shortdelay: bit(18) } },
  DRV_CONF: {
    addr: 0x0a,
    access: 'w',
    fields: { bbmtime: [0, 5], bbmclks: [8, 4], otselect: [16, 2], drvstrength: [18, 2], filt_isense: [20, 2] },
  },
  GLOBALSCALER: { addr: 0x0b, access: 'w', fields: { globalscaler: [0, 8] } },
  OFFSET_READ: { addr: 0x0c, access: 'r', fields: { offset_b: [0, 8], offset_a: [8, 8] } },
  IHOLD_IRUN,
  TPOWERDOWN,
  TSTEP,
  TPWMTHRS,
  TCOOLTHRS,
  THIGH,
  XDIRECT: { addr: 0x2d, access: 'rw', fields: { coil_a: [0, 9, 'signed'], coil_b: [16, 9, 'signed'] } },
  VDCMIN: { addr: 0x33, access: 'w', fields: { vdcmin: [0, 23] } },
  MSCNT,
  MSCURACT,
  CHOPCONF: {
    addr: 0x6c,
    access: 'rw',
    fields: {
      toff: [0, 4],
      hstrt: [4, 3],
      hend: [7, 4],
      fd3: bit(11),
      disfdcc: bit(12),
      chm: bit(14),
      tbl: [15, 2],
      vhighfs: bit(18),
      vhighchm: bit(19),
      tpfd: [20, 4],
      mres: [24, 4],
      intpol: bit(28),
      dedge: bit(29),
      diss2g: bit(30),
      diss2vs: bit(31),
    },
  },
  COOLCONF: COOLCONF_SG2,
  DCCTRL: { addr: 0x6e, access: 'w', fields: { dc_time: [0, 10], dc_sg: [16, 8] } },
  DRV_STATUS: {
    addr: 0x6f,
    access: 'r',
    fields: {
      sg_result: [0, 10],
      s2vsa: bit(12),
      s2vsb: bit(13),
      stealth: bit(14),
      fsactive: bit(15),
      cs_actual: [16, 5],
      stallguard: bit(24),
      ot: bit(25),
      otpw: bit(26),
      s2ga: bit(27),
      s2gb: bit(28),
      ola: bit(29),
      olb: bit(30),
      stst: bit(31),
    },
  },
  PWMCONF: {
    addr: 0x70,
    access: 'w',
    fields: {
      pwm_ofs: [0, 8],
      pwm_grad: [8, 8],
      pwm_freq: [16, 2],
      pwm_autoscale: bit(18),
      pwm_autograd: bit(19),
      freewheel: [20, 2],
      pwm_reg: [24, 4],
      pwm_lim: [28, 4],
    },
  },
  PWM_SCALE: { addr: 0x71, access: 'r', fields: { pwm_scale_sum: [0, 8], pwm_scale_auto: [16, 9, 'signed'] } },
  PWM_AUTO: { addr: 0x72, access: 'r', fields: { pwm_ofs_auto: [0, 8], pwm_grad_auto: [16, 8] } },
  LOST_STEPS: { addr: 0x73, access: 'r', fields: { lost_steps: [0, 20] } },
};

// TMC2240: SPI or UART; the full-scale current comes from the IREF resistor and DRV_CONF.current_range.
const TMC2240_REGISTERS: Record<string, RegisterDef> = {
  GCONF: {
    addr: 0x00,
    access: 'rw',
    fields: {
      fast_standstill: bit(1),
      en_pwm_mode: bit(2),
      multistep_filt: bit(3),
      shaft: bit(4),
      diag0_error: bit(5),
      diag0_otpw: bit(6),
      diag0_stall: bit(7),
      diag1_stall: bit(8),
      diag1_index: bit(9),
      diag0_pushpull: bit(12),
      diag1_pushpull: bit(13),
      small_hysteresis: bit(14),
      stop_enable: bit(15),
      direct_mode: bit(16),
    },
  },
  GSTAT: { addr: 0x01, access: 'rc', fields: { reset: bit(0), drv_err: bit(1), uv_cp: bit(2), register_reset: bit(3), vm_uvlo: bit(4) } },
  IFCNT,
  SLAVECONF: { addr: 0x03, access: 'w', fields: { slaveaddr: [0, 8], senddelay: [8, 4] } },
  IOIN: {
    addr: 0x04,
    access: 'r',
    fields: {
      refl_step: bit(0),
      refr_dir: bit(1),
      encb_dcen_cfg4: bit(2),
      enca_dcin_cfg5: bit(3),
      drv_enn: bit(4),
      enc_n_dco_cfg6: bit(5),
      sd_mode: bit(6),
      swcomp_in: bit(7),
      version: [24, 8],
    },
  },
  DRV_CONF: { addr: 0x0a, access: 'w', fields: { current_range: [0, 2], slope_control: [4, 2] } },
  GLOBALSCALER: { addr: 0x0b, access: 'w', fields: { globalscaler: [0, 8] } },
  IHOLD_IRUN: { addr: 0x10, access: 'w', fields: { ihold: [0, 5], irun: [8, 5], iholddelay: [16, 4], irundelay: [24, 4] } },
  TPOWERDOWN,
  TSTEP,
  TPWMTHRS,
  TCOOLTHRS,
  THIGH,
  ADC_VSUPPLY_AIN: { addr: 0x50, access: 'r', fields: { adc_vsupply: [0, 13], adc_ain: [16, 13] } },
  ADC_TEMP: { addr: 0x51, access: 'r', fields: { adc_temp: [0, 13] } },
  MSCNT,
  MSCURACT,
  CHOPCONF: TMC5160_REGISTERS.CHOPCONF, // the same layout in both datasheets
  COOLCONF: COOLCONF_SG2,
  DRV_STATUS: TMC5160_REGISTERS.DRV_STATUS,
  PWMCONF: {
    addr: 0x70,
    access: 'rw',
    fields: {
      pwm_ofs: [0, 8],
      pwm_grad: [8, 8],
      pwm_freq: [16, 2],
      pwm_autoscale: bit(18),
      pwm_autograd: bit(19),
      freewheel: [20, 2],
      pwm_meas_sd_enable: bit(22),
      pwm_dis_reg_stst: bit(23),
      pwm_reg: [24, 4],
      pwm_lim: [28, 4],
    },
  },
  PWM_SCALE: TMC5160_REGISTERS.PWM_SCALE,
  PWM_AUTO: TMC5160_REGISTERS.PWM_AUTO,
  SG4_THRS: { addr: 0x74, access: 'rw', fields: { sg4_thrs: [0, 8], sg4_filt_en: bit(8), sg_angle_offset: bit(9) } },
};

// TMC2660: 20-bit datagrams. A write's register is in bits 19..17 (DRVCTRL: bits 19..18 = 00),
// so `addr` here is that prefix; every transfer answers with a 20-bit read response whose
// bits 19..10 DRVCONF.rdsel picks (`addr` of the READRSP pseudo-registers is that rdsel value).
const TMC2660_STATUS_FIELDS: Record<string, FieldBits> = {
  stallguard: bit(0),
  ot: bit(1),
  otpw: bit(2),
  s2ga: bit(3),
  s2gb: bit(4),
  ola: bit(5),
  olb: bit(6),
  stst: bit(7),
};
const TMC2660_REGISTERS: Record<string, RegisterDef> = {
  DRVCTRL: { addr: 0x00000, access: 'w', fields: { mres: [0, 4], dedge: bit(8), intpol: bit(9) } },
  CHOPCONF: {
    addr: 0x80000,
    access: 'w',
    fields: { toff: [0, 4], hstrt: [4, 3], hend: [7, 4], hdec: [11, 2], rndtf: bit(13), chm: bit(14), tbl: [15, 2] },
  },
  SMARTEN: { addr: 0xa0000, access: 'w', fields: { semin: [0, 4], seup: [5, 2], semax: [8, 4], sedn: [13, 2], seimin: bit(15) } },
  SGCSCONF: { addr: 0xc0000, access: 'w', fields: { cs: [0, 5], sgt: [8, 7, 'signed'], sfilt: bit(16) } },
  DRVCONF: {
    addr: 0xe0000,
    access: 'w',
    fields: { rdsel: [4, 2], vsense: bit(6), sdoff: bit(7), ts2g: [8, 2], diss2g: bit(10), slpl: [12, 2], slph: [14, 2], tst: bit(16) },
  },
  'READRSP@RDSEL0': { addr: 0, access: 'r', fields: { ...TMC2660_STATUS_FIELDS, mstep: [10, 10] } },
  'READRSP@RDSEL1': { addr: 1, access: 'r', fields: { ...TMC2660_STATUS_FIELDS, sg_result: [10, 10] } },
  'READRSP@RDSEL2': { addr: 2, access: 'r', fields: { ...TMC2660_STATUS_FIELDS, se: [10, 5], sg_result_upper: [15, 5] } },
};

// Klipper's documented driver_XXX defaults (Config_Reference.md); the datasheets' own
// power-on values differ, which is why the host writes every register at init.
const TMC220X_DEFAULTS = {
  multistep_filt: 1,
  iholddelay: 8,
  tpowerdown: 20,
  tbl: 2,
  toff: 3,
  hend: 0,
  hstrt: 5,
  pwm_autograd: 1,
  pwm_autoscale: 1,
  pwm_lim: 12,
  pwm_reg: 8,
  pwm_freq: 1,
  pwm_grad: 14,
  pwm_ofs: 36,
};

export const TMC2660: TmcChipDef = {
  name: 'tmc2660',
  registers: TMC2660_REGISTERS,
  clockHz: 15_000_000,
  bus: 'spi20',
  defaults: {
    tbl: 2,
    rndtf: 0,
    hdec: 0,
    chm: 0,
    hend: 3,
    hstrt: 3,
    toff: 4,
    seimin: 0,
    sedn: 0,
    semax: 0,
    seup: 0,
    semin: 0,
    sfilt: 0,
    sgt: 0,
    slph: 0,
    slpl: 0,
    diss2g: 0,
    ts2g: 3,
  },
  maxCurrentA: 2.4,
  senseResistorOhm: 0,
  currentScale: 'cs',
  statusRegister: 'READRSP@RDSEL2',
  errorFields: ['ot', 's2ga', 's2gb'],
  // Current and read-back selection first; CHOPCONF (TOFF, which enables the driver) last.
  initRegisters: ['DRVCONF', 'SGCSCONF', 'SMARTEN', 'DRVCTRL', 'CHOPCONF'],
};

export const TMC_CHIPS: Record<TmcChipName, TmcChipDef> = {
  tmc2208: {
    name: 'tmc2208',
    registers: TMC2208_REGISTERS,
    clockHz: 12_000_000,
    bus: 'uart',
    defaults: TMC220X_DEFAULTS,
    maxCurrentA: 2.0,
    senseResistorOhm: 0.11,
    currentScale: 'vsense',
    errorFields: ['ot', 's2ga', 's2gb', 's2vsa', 's2vsb'],
    initRegisters: ['GCONF', 'SLAVECONF', 'IHOLD_IRUN', 'TPOWERDOWN', 'TPWMTHRS', 'CHOPCONF', 'PWMCONF'],
  },
  tmc2209: {
    name: 'tmc2209',
    registers: TMC2209_REGISTERS,
    clockHz: 12_000_000,
    bus: 'uart',
    defaults: { ...TMC220X_DEFAULTS, sgthrs: 0, semin: 0, seup: 0, semax: 0, sedn: 0, seimin: 0 },
    maxCurrentA: 2.0,
    senseResistorOhm: 0.11,
    currentScale: 'vsense',
    errorFields: ['ot', 's2ga', 's2gb', 's2vsa', 's2vsb'],
    initRegisters: ['GCONF', 'SLAVECONF', 'IHOLD_IRUN', 'TPOWERDOWN', 'TPWMTHRS', 'TCOOLTHRS', 'SGTHRS', 'COOLCONF', 'CHOPCONF', 'PWMCONF'],
  },
  tmc2130: {
    name: 'tmc2130',
    registers: TMC2130_REGISTERS,
    clockHz: 13_200_000,
    bus: 'spi',
    defaults: {
      iholddelay: 8,
      tpowerdown: 0,
      tbl: 1,
      toff: 4,
      hend: 7,
      hstrt: 0,
      vhighfs: 0,
      vhighchm: 0,
      diss2g: 0,
      pwm_autoscale: 1,
      pwm_freq: 1,
      pwm_grad: 4,
      pwm_ampl: 128,
      sgt: 0,
      semin: 0,
      seup: 0,
      semax: 0,
      sedn: 0,
      seimin: 0,
      sfilt: 0,
    },
    maxCurrentA: 2.0,
    senseResistorOhm: 0.11,
    currentScale: 'vsense',
    errorFields: ['ot', 's2ga', 's2gb'],
    initRegisters: ['GCONF', 'IHOLD_IRUN', 'TPOWERDOWN', 'TPWMTHRS', 'TCOOLTHRS', 'THIGH', 'CHOPCONF', 'COOLCONF', 'PWMCONF'],
  },
  tmc5160: {
    name: 'tmc5160',
    registers: TMC5160_REGISTERS,
    clockHz: 12_000_000,
    bus: 'spi',
    defaults: {
      multistep_filt: 1,
      iholddelay: 6,
      tpowerdown: 10,
      tbl: 2,
      toff: 3,
      hend: 2,
      hstrt: 5,
      fd3: 0,
      tpfd: 4,
      chm: 0,
      vhighfs: 0,
      vhighchm: 0,
      diss2g: 0,
      diss2vs: 0,
      pwm_autoscale: 1,
      pwm_autograd: 1,
      pwm_freq: 0,
      freewheel: 0,
      pwm_grad: 0,
      pwm_ofs: 30,
      pwm_reg: 4,
      pwm_lim: 12,
      sgt: 0,
      semin: 0,
      seup: 0,
      semax: 0,
      sedn: 0,
      seimin: 0,
      sfilt: 0,
      drvstrength: 0,
      bbmclks: 4,
      bbmtime: 0,
      filt_isense: 0,
    },
    maxCurrentA: 10.6,
    senseResistorOhm: 0.075,
    currentScale: 'globalscaler',
    errorFields: ['ot', 's2ga', 's2gb', 's2vsa', 's2vsb'],
    initRegisters: [
      'GCONF',
      'DRV_CONF',
      'GLOBALSCALER',
      'IHOLD_IRUN',
      'TPOWERDOWN',
      'TPWMTHRS',
      'TCOOLTHRS',
      'THIGH',
      'CHOPCONF',
      'COOLCONF',
      'PWMCONF',
    ],
  },
  tmc2240: {
    name: 'tmc2240',
    registers: TMC2240_REGISTERS,
    clockHz: 12_500_000,
    bus: 'either',
    defaults: {
      multistep_filt: 1,
      iholddelay: 6,
      irundelay: 4,
      tpowerdown: 10,
      tbl: 2,
      toff: 3,
      hend: 2,
      hstrt: 5,
      fd3: 0,
      tpfd: 4,
      chm: 0,
      vhighfs: 0,
      vhighchm: 0,
      diss2g: 0,
      diss2vs: 0,
      pwm_autoscale: 1,
      pwm_autograd: 1,
      pwm_freq: 0,
      freewheel: 0,
      pwm_grad: 0,
      pwm_ofs: 29,
      pwm_reg: 4,
      pwm_lim: 12,
      sgt: 0,
      semin: 0,
      seup: 0,
      semax: 0,
      sedn: 0,
      seimin: 0,
      sfilt: 0,
      sg_angle_offset: 1,
      slope_control: 0,
    },
    maxCurrentA: 2.1,
    senseResistorOhm: 0,
    currentScale: 'rref',
    errorFields: ['ot', 's2ga', 's2gb', 's2vsa', 's2vsb'],
    initRegisters: [
      'GCONF',
      'SLAVECONF',
      'DRV_CONF',
      'GLOBALSCALER',
      'IHOLD_IRUN',
      'TPOWERDOWN',
      'TPWMTHRS',
      'TCOOLTHRS',
      'THIGH',
      'CHOPCONF',
      'COOLCONF',
      'PWMCONF',
      'SG4_THRS',
    ],
  },
  tmc2660: TMC2660,
};

export interface FieldRef {
  register: string;
  shift: number;
  width: number;
  signed: boolean;
}

/** A driver's register values (what the host will write / last read) and field access. */
export class TmcFields {
  /** Writable registers the host holds, by name; their values are what init writes. */
  readonly values = new Map<string, number>();
  private readonly byField = new Map<string, FieldRef>();

  constructor(readonly chip: TmcChipDef) {
    for (const [register, def] of Object.entries(chip.registers)) {
      for (const [f, [shift, width, signed]] of Object.entries(def.fields)) {
        // A field name in several registers (none today) would be ambiguous: the first wins.
        if (!this.byField.has(f)) this.byField.set(f, { register, shift, width, signed: signed === 'signed' });
      }
    }
    for (const r of chip.initRegisters) this.values.set(r, 0);
  }

  field(name: string): FieldRef | null {
    return this.byField.get(name.toLowerCase()) ?? null;
  }

  fieldNames(): string[] {
    return [...this.byField.keys()];
  }

  /** Whether the host may write the field's register. */
  isWritable(name: string): boolean {
    const f = this.field(name);
    return f !== null && this.chip.registers[f.register].access !== 'r';
  }

  /** The field's value inside a register value (sign-extended for signed fields). */
  getField(name: string, registerValue?: number): number {
    const f = this.mustField(name);
    const reg = registerValue ?? this.values.get(f.register) ?? 0;
    const raw = Math.floor(reg / 2 ** f.shift) % 2 ** f.width;
    return f.signed && raw >= 2 ** (f.width - 1) ? raw - 2 ** f.width : raw;
  }

  /** Sets a field in the held register value; returns the register name. Throws out of range. */
  setField(name: string, value: number): string {
    const f = this.mustField(name);
    const lo = f.signed ? -(2 ** (f.width - 1)) : 0;
    const hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw new RangeError(`value ${value} out of range for field '${name.toLowerCase()}' (${lo}..${hi})`);
    }
    const raw = value < 0 ? value + 2 ** f.width : value;
    const old = this.values.get(f.register) ?? 0;
    // Arithmetic, not bit operators: a field may reach bit 31 (JS bit operators are signed).
    const cleared = old - (Math.floor(old / 2 ** f.shift) % 2 ** f.width) * 2 ** f.shift;
    this.values.set(f.register, cleared + raw * 2 ** f.shift);
    return f.register;
  }

  /** 'CHOPCONF:       15010053 toff=3 hstrt=5 ...' (non-zero fields only). */
  formatRegister(register: string, value: number, pad = true): string {
    const def = this.chip.registers[register];
    const fields = Object.keys(def.fields)
      .map((f) => [f, this.getField(f, value)] as const)
      .filter(([, v]) => v !== 0)
      .map(([f, v]) => `${f}=${this.describe(f, v)}`);
    return `${pad ? `${register}:`.padEnd(15) : `${register}:`} ${value.toString(16).padStart(8, '0')}${fields.length ? ' ' + fields.join(' ') : ''}`;
  }

  /** Fields whose raw value is an encoding get their meaning in parentheses. */
  private describe(field: string, v: number): string {
    if (field === 'mres') return `${v}(${256 >> v}usteps)`;
    return String(v);
  }

  private mustField(name: string): FieldRef {
    const f = this.field(name);
    if (!f) throw new RangeError(`Unknown field name '${name}'`);
    return f;
  }
}
