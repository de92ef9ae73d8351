/** Role of this pmuiso image (guests/tests/pmuiso.c): guest "one". */
#include <stdint.h>

extern const uint32_t pmuiso_role;
const uint32_t pmuiso_role = 1;
