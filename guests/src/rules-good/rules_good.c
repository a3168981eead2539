/* rules-good: the well-behaved counterpart of rules-bad, built from the same source with
 * RULES_GOOD defined (see src/rules-bad/rules.c for what each phase does). */
#define RULES_GOOD 1
#include "../rules-bad/rules.c"
