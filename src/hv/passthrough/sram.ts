// The mmio-sram device's passthrough mapper (seed 004): on-chip SRAM is memory, so the domain
// that owns it gets it Normal Write-Back cacheable, read/write/execute — software uses memcpy,
// memset (DC ZVA), unaligned accesses and may run code from it, none of which Device memory
// allows (Arm ARM B2.5.2: unaligned accesses to Device memory are Alignment faults; D7.4.10:
// DC ZVA to Device memory is one too). The guest's own stage 1 can still restrict it further.
import { registerPassthroughMapper, type PassthroughMapper } from './mappers.js';

export const mapSram: PassthroughMapper = () => 'mmio_direct_c_rwx';

registerPassthroughMapper('mmio-sram', mapSram);
