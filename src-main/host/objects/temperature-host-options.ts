// sensor_type: temperature_host's option (pure data: the config editor's catalog imports it).
import { defineOptions } from '../config/options';

export const DEFAULT_HOST_SENSOR_PATH = '/sys/class/thermal/thermal_zone0/temp';

export const TEMPERATURE_HOST_OPTIONS = defineOptions({
  sensor_path: {
    type: 'string',
    default: DEFAULT_HOST_SENSOR_PATH,
    doc: 'temperature_host: thermal-zone file read (millidegrees C)',
  },
});
