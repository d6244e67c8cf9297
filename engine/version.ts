export const XENFORM_VERSION = '0.1.0';
