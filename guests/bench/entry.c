/** The benchmark guest reuses the test runtime's start-up. */
#include "guest/test.h"

int main_bench(void);

void test_main(void)
{
	main_bench();
}
