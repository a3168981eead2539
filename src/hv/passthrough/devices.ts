// Every device module with a passthrough mapper (Xen's DT_DEVICE_START table): importing this
// registers them all. A new device adds its module here, nowhere else.
import './sram.js';
