#pragma once
/** Name and version printed in the banner. */
#define HYP_NAME "tinyhyp"
#define HYP_VERSION "0.1"
