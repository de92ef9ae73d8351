/** Role of this pmuiso image (guests/tests/pmuiso.c): guest "two". */
#include <stdint.h>

extern const uint32_t pmuiso_role;
const uint32_t pmuiso_role = 2;
