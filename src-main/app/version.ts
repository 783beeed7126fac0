// The app's version, shown in the UI and the CLI. Kept in step with package.json by hand (the
// main bundle must not read package.json at run time inside an asar archive).
export const APP_VERSION = '0.1.0';
