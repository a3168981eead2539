/* Sweep operations: each op takes operands a, b (and c for multiply-accumulate),
 * an NZCV value installed before the instruction, and returns the result plus
 * the NZCV value read back after it. Ops that don't set flags must leave NZCV
 * unchanged, which the sweeps check implicitly. Columns: name, asm text. */

#define OPS_ADDSUB(X)                                                                 \
	X(add_x, "add %[r], %[a], %[b]")                                              \
	X(add_w, "add %w[r], %w[a], %w[b]")                                           \
	X(adds_x, "adds %[r], %[a], %[b]")                                            \
	X(adds_w, "adds %w[r], %w[a], %w[b]")                                         \
	X(sub_x, "sub %[r], %[a], %[b]")                                              \
	X(sub_w, "sub %w[r], %w[a], %w[b]")                                           \
	X(subs_x, "subs %[r], %[a], %[b]")                                            \
	X(subs_w, "subs %w[r], %w[a], %w[b]")                                         \
	X(adc_x, "adc %[r], %[a], %[b]")                                              \
	X(adc_w, "adc %w[r], %w[a], %w[b]")                                           \
	X(adcs_x, "adcs %[r], %[a], %[b]")                                            \
	X(adcs_w, "adcs %w[r], %w[a], %w[b]")                                         \
	X(sbc_x, "sbc %[r], %[a], %[b]")                                              \
	X(sbc_w, "sbc %w[r], %w[a], %w[b]")                                           \
	X(sbcs_x, "sbcs %[r], %[a], %[b]")                                            \
	X(sbcs_w, "sbcs %w[r], %w[a], %w[b]")                                         \
	X(neg_x, "neg %[r], %[b]")                                                    \
	X(negs_w, "negs %w[r], %w[b]")                                                \
	X(ngc_x, "ngc %[r], %[b]")                                                    \
	X(ngcs_w, "ngcs %w[r], %w[b]")                                                \
	X(cmp_x, "cmp %[a], %[b]\n\tmov %[r], xzr")                                   \
	X(cmn_w, "cmn %w[a], %w[b]\n\tmov %[r], xzr")                                 \
	X(add_x_lsl17, "add %[r], %[a], %[b], lsl #17")                               \
	X(adds_x_lsr63, "adds %[r], %[a], %[b], lsr #63")                             \
	X(subs_x_asr7, "subs %[r], %[a], %[b], asr #7")                               \
	X(adds_w_lsl31, "adds %w[r], %w[a], %w[b], lsl #31")                          \
	X(subs_w_asr31, "subs %w[r], %w[a], %w[b], asr #31")                          \
	X(sub_w_lsr1, "sub %w[r], %w[a], %w[b], lsr #1")                              \
	X(add_x_uxtb, "add %[r], %[a], %w[b], uxtb")                                  \
	X(add_x_uxth2, "add %[r], %[a], %w[b], uxth #2")                              \
	X(adds_x_uxtw4, "adds %[r], %[a], %w[b], uxtw #4")                            \
	X(sub_x_sxtb1, "sub %[r], %[a], %w[b], sxtb #1")                              \
	X(subs_x_sxth, "subs %[r], %[a], %w[b], sxth")                                \
	X(add_x_sxtw3, "add %[r], %[a], %w[b], sxtw #3")                              \
	X(adds_x_sxtx2, "adds %[r], %[a], %[b], sxtx #2")                             \
	X(add_x_uxtx, "add %[r], %[a], %[b], uxtx")                                   \
	X(adds_w_uxtb3, "adds %w[r], %w[a], %w[b], uxtb #3")                          \
	X(subs_w_sxth4, "subs %w[r], %w[a], %w[b], sxth #4")                          \
	X(add_w_sxtb, "add %w[r], %w[a], %w[b], sxtb")                                \
	X(add_x_imm, "add %[r], %[a], #0xfff")                                        \
	X(adds_x_imm12, "adds %[r], %[a], #0xabc, lsl #12")                           \
	X(subs_x_imm1, "subs %[r], %[a], #1")                                         \
	X(subs_w_imm, "subs %w[r], %w[a], #0x800")                                    \
	X(adds_w_imm, "adds %w[r], %w[a], #1")                                        \
	X(cmn_x_imm, "cmn %[a], #1\n\tmov %[r], xzr")                                 \
	X(cmp_w_imm, "cmp %w[a], #0xfff, lsl #12\n\tmov %[r], xzr")

#define OPS_LOGIC(X)                                                                  \
	X(and_x, "and %[r], %[a], %[b]")                                              \
	X(orr_w, "orr %w[r], %w[a], %w[b]")                                           \
	X(eor_x_ror13, "eor %[r], %[a], %[b], ror #13")                               \
	X(bic_x_lsr3, "bic %[r], %[a], %[b], lsr #3")                                 \
	X(orn_w_asr5, "orn %w[r], %w[a], %w[b], asr #5")                              \
	X(eon_x_lsl60, "eon %[r], %[a], %[b], lsl #60")                               \
	X(ands_x, "ands %[r], %[a], %[b]")                                            \
	X(ands_w_ror31, "ands %w[r], %w[a], %w[b], ror #31")                          \
	X(bics_x_asr63, "bics %[r], %[a], %[b], asr #63")                             \
	X(bics_w, "bics %w[r], %w[a], %w[b]")                                         \
	X(tst_x, "tst %[a], %[b]\n\tmov %[r], xzr")                                   \
	X(mvn_w, "mvn %w[r], %w[b]")                                                  \
	X(mov_w, "mov %w[r], %w[b]")

#define OPS_SHIFT(X)                                                                  \
	X(lslv_x, "lsl %[r], %[a], %[b]")                                             \
	X(lsrv_x, "lsr %[r], %[a], %[b]")                                             \
	X(asrv_x, "asr %[r], %[a], %[b]")                                             \
	X(rorv_x, "ror %[r], %[a], %[b]")                                             \
	X(lslv_w, "lsl %w[r], %w[a], %w[b]")                                          \
	X(lsrv_w, "lsr %w[r], %w[a], %w[b]")                                          \
	X(asrv_w, "asr %w[r], %w[a], %w[b]")                                          \
	X(rorv_w, "ror %w[r], %w[a], %w[b]")                                          \
	X(lsl_x_imm, "lsl %[r], %[a], #13")                                           \
	X(lsr_w_imm, "lsr %w[r], %w[a], #31")                                         \
	X(asr_x_imm, "asr %[r], %[a], #63")                                           \
	X(ror_w_imm, "ror %w[r], %w[a], #7")

#define OPS_BITFIELD(X)                                                               \
	X(ubfm_x, "ubfm %[r], %[a], #7, #40")                                         \
	X(ubfm_x_wrap, "ubfm %[r], %[a], #40, #7")                                    \
	X(sbfm_x, "sbfm %[r], %[a], #3, #35")                                         \
	X(sbfm_x_wrap, "sbfm %[r], %[a], #60, #2")                                    \
	X(ubfm_w, "ubfm %w[r], %w[a], #5, #20")                                       \
	X(sbfm_w_wrap, "sbfm %w[r], %w[a], #30, #3")                                  \
	X(ubfx_x, "ubfx %[r], %[a], #33, #17")                                        \
	X(sbfx_x, "sbfx %[r], %[a], #1, #63")                                         \
	X(sbfx_w, "sbfx %w[r], %w[a], #8, #9")                                        \
	X(ubfiz_x, "ubfiz %[r], %[a], #50, #14")                                      \
	X(sbfiz_w, "sbfiz %w[r], %w[a], #29, #2")                                     \
	X(sxtb_x, "sxtb %[r], %w[a]")                                                 \
	X(sxth_w, "sxth %w[r], %w[a]")                                                \
	X(sxtw_x, "sxtw %[r], %w[a]")                                                 \
	X(uxtb_w, "uxtb %w[r], %w[a]")                                                \
	X(uxth_w, "uxth %w[r], %w[a]")                                                \
	X(extr_x, "extr %[r], %[a], %[b], #23")                                       \
	X(extr_x0, "extr %[r], %[a], %[b], #0")                                       \
	X(extr_w, "extr %w[r], %w[a], %w[b], #31")

#define OPS_MULDIV(X)                                                                 \
	X(mul_x, "mul %[r], %[a], %[b]")                                              \
	X(mul_w, "mul %w[r], %w[a], %w[b]")                                           \
	X(madd_x, "madd %[r], %[a], %[b], %[c]")                                      \
	X(msub_x, "msub %[r], %[a], %[b], %[c]")                                      \
	X(madd_w, "madd %w[r], %w[a], %w[b], %w[c]")                                  \
	X(msub_w, "msub %w[r], %w[a], %w[b], %w[c]")                                  \
	X(smaddl, "smaddl %[r], %w[a], %w[b], %[c]")                                  \
	X(umaddl, "umaddl %[r], %w[a], %w[b], %[c]")                                  \
	X(smsubl, "smsubl %[r], %w[a], %w[b], %[c]")                                  \
	X(umsubl, "umsubl %[r], %w[a], %w[b], %[c]")                                  \
	X(smull, "smull %[r], %w[a], %w[b]")                                          \
	X(umull, "umull %[r], %w[a], %w[b]")                                          \
	X(mneg_x, "mneg %[r], %[a], %[b]")                                            \
	X(smulh, "smulh %[r], %[a], %[b]")                                            \
	X(umulh, "umulh %[r], %[a], %[b]")                                            \
	X(sdiv_x, "sdiv %[r], %[a], %[b]")                                            \
	X(udiv_x, "udiv %[r], %[a], %[b]")                                            \
	X(sdiv_w, "sdiv %w[r], %w[a], %w[b]")                                         \
	X(udiv_w, "udiv %w[r], %w[a], %w[b]")

#define OPS_COND(X)                                                                   \
	X(ccmp_x_eq, "ccmp %[a], %[b], #0x5, eq\n\tmov %[r], xzr")                    \
	X(ccmp_w_lt, "ccmp %w[a], %w[b], #0xa, lt\n\tmov %[r], xzr")                  \
	X(ccmp_x_imm_hi, "ccmp %[a], #31, #0x3, hi\n\tmov %[r], xzr")                 \
	X(ccmn_x_vs, "ccmn %[a], %[b], #0xc, vs\n\tmov %[r], xzr")                    \
	X(ccmn_w_imm_ge, "ccmn %w[a], #17, #0x0, ge\n\tmov %[r], xzr")                \
	X(ccmp_x_al, "ccmp %[a], %[b], #0xf, al\n\tmov %[r], xzr")                    \
	X(csel_x_ne, "csel %[r], %[a], %[b], ne")                                     \
	X(csel_w_gt, "csel %w[r], %w[a], %w[b], gt")                                  \
	X(csinc_x_cs, "csinc %[r], %[a], %[b], cs")                                   \
	X(csinc_w_le, "csinc %w[r], %w[a], %w[b], le")                                \
	X(csinv_x_mi, "csinv %[r], %[a], %[b], mi")                                   \
	X(csinv_w_ls, "csinv %w[r], %w[a], %w[b], ls")                                \
	X(csneg_x_pl, "csneg %[r], %[a], %[b], pl")                                   \
	X(csneg_w_vc, "csneg %w[r], %w[a], %w[b], vc")                                \
	X(cset_x_cc, "cset %[r], cc")                                                 \
	X(csetm_w_hi, "csetm %w[r], hi")                                              \
	X(cinc_x_ge, "cinc %[r], %[a], ge")                                           \
	X(cneg_w_lt, "cneg %w[r], %w[a], lt")                                         \
	X(csel_x_nv, "csel %[r], %[a], %[b], nv")

#define OPS_BITS(X)                                                                   \
	X(clz_x, "clz %[r], %[a]")                                                    \
	X(clz_w, "clz %w[r], %w[a]")                                                  \
	X(cls_x, "cls %[r], %[a]")                                                    \
	X(cls_w, "cls %w[r], %w[a]")                                                  \
	X(rbit_x, "rbit %[r], %[a]")                                                  \
	X(rbit_w, "rbit %w[r], %w[a]")                                                \
	X(rev_x, "rev %[r], %[a]")                                                    \
	X(rev_w, "rev %w[r], %w[a]")                                                  \
	X(rev16_x, "rev16 %[r], %[a]")                                                \
	X(rev16_w, "rev16 %w[r], %w[a]")                                              \
	X(rev32_x, "rev32 %[r], %[a]")                                                \
	X(crc32b, "crc32b %w[r], %w[a], %w[b]")                                       \
	X(crc32h, "crc32h %w[r], %w[a], %w[b]")                                       \
	X(crc32w, "crc32w %w[r], %w[a], %w[b]")                                       \
	X(crc32x, "crc32x %w[r], %w[a], %[b]")                                        \
	X(crc32cb, "crc32cb %w[r], %w[a], %w[b]")                                     \
	X(crc32ch, "crc32ch %w[r], %w[a], %w[b]")                                     \
	X(crc32cw, "crc32cw %w[r], %w[a], %w[b]")                                     \
	X(crc32cx, "crc32cx %w[r], %w[a], %[b]")

/* Ops that read the destination (initialised to a). */
#define OPS_RMW(X)                                                                    \
	X(bfm_x, "bfm %[r], %[b], #13, #44")                                          \
	X(bfm_x_wrap, "bfm %[r], %[b], #44, #13")                                     \
	X(bfm_w, "bfm %w[r], %w[b], #3, #17")                                         \
	X(bfi_x, "bfi %[r], %[b], #20, #40")                                          \
	X(bfxil_w, "bfxil %w[r], %w[b], #7, #25")                                     \
	X(movk_x0, "movk %[r], #0xbeef")                                              \
	X(movk_x48, "movk %[r], #0x8001, lsl #48")                                    \
	X(movk_w16, "movk %w[r], #0xcafe, lsl #16")                                   \
	X(movz_x32, "movz %[r], #0x1234, lsl #32")                                    \
	X(movn_x16, "movn %[r], #0x1234, lsl #16")                                    \
	X(movn_w0, "movn %w[r], #0x0")
