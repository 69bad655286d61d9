// RSA signing through the system libcrypto (OpenSSL 3), for DKIM's rsa-sha256.
// OpenSSL is already in the process for libcurl, and where it was measured its RSA was about twice as fast
// as the BoringSSL copy inside swift-crypto. The functions take and return plain C types so Swift needs no
// OpenSSL headers of its own.
#ifndef HERALD_COPENSSL_H
#define HERALD_COPENSSL_H

#include <stddef.h>
#include <stdint.h>

typedef struct herald_rsa_key herald_rsa_key;

// Reads a PEM private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"); NULL if it is not an unencrypted RSA key.
herald_rsa_key *herald_rsa_key_from_pem(const char *pem, size_t length);
void herald_rsa_key_free(herald_rsa_key *key);
int herald_rsa_key_bits(const herald_rsa_key *key);

// The SubjectPublicKeyInfo DER of the public key into `out` (at most `capacity` bytes); its length, or -1.
long herald_rsa_public_key_der(const herald_rsa_key *key, uint8_t *out, size_t capacity);

// RSASSA-PKCS1-v1_5 over a SHA-256 digest (32 bytes); the signature's length, or -1. Thread-safe.
long herald_rsa_sign_sha256_digest(const herald_rsa_key *key, const uint8_t digest[32], uint8_t *out, size_t capacity);

// `count` bytes from OpenSSL's DRBG (seeded and reseeded from the kernel; per-thread, no system call per
// use); 1 on success. Thread-safe.
int herald_random_bytes(uint8_t *out, size_t count);

#endif
