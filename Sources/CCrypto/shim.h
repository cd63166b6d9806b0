// SHA256_Init/Update/Final are marked deprecated in OpenSSL 3 in favour of EVP, but
// they stay supported and avoid EVP's per-call dispatch and allocations, which matter
// when every visitor id of every row is hashed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/evp.h>
