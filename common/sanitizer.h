/* WGM_ASAN is defined in builds with AddressSanitizer (gcc and clang spell it differently):
 * it reserves terabytes of address space, so address-space limits are left off there. */
#ifndef WGM_SANITIZER_H
#define WGM_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define WGM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WGM_ASAN 1
#endif
#endif

#endif
