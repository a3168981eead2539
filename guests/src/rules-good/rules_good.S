/* rules-good: the correct sequences (see src/rules-bad/rules.S). */
#define RULES_GOOD 1
#include "../rules-bad/rules.S"
