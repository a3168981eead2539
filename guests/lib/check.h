/* CHECK(name, cond) -> "PASS <name>" / "FAIL <name> <details>"; the runtime
 * prints "DONE pass=N fail=M" when main returns (see finish()). */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H
#include "lib.h"
#endif
