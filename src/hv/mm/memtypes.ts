// Memory types as both memory-management backends use them (Xen's asm/page.h): the MT_* index
// of each type into MAIR_EL2, and the MAIR_EL2 value that gives those indices their attributes.
// The MMU puts the index in descriptors' AttrIndx, the MPU in PRLAR.AttrIndx.

export const MT = {
  DEVICE_nGnRnE: 0,
  NORMAL_NC: 1,
  NORMAL_WT: 2,
  NORMAL_WB: 3,
  DEVICE_nGnRE: 4,
  NORMAL: 7,
} as const;

/** MAIRVAL: idx0 0x00, idx1 0x44, idx2 0xaa, idx3 0xee, idx4 0x04, idx7 0xff. */
export const MAIRVAL = 0xff00_0004_eeaa_4400n;
