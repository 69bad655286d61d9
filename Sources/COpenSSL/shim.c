#include "COpenSSL.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

struct herald_rsa_key {
    EVP_PKEY *pkey;
};

// Without a callback OpenSSL would ask for an encrypted key's passphrase on the terminal; Herald never does.
static int no_passphrase(char *buffer, int size, int writing, void *context) {
    (void)buffer; (void)size; (void)writing; (void)context;
    return 0;
}

herald_rsa_key *herald_rsa_key_from_pem(const char *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (pkey == NULL) {
        ERR_clear_error();  // leave nothing on the thread's error queue for libcurl to trip over
        return NULL;
    }
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    herald_rsa_key *key = OPENSSL_malloc(sizeof(herald_rsa_key));
    if (key == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    key->pkey = pkey;
    return key;
}

void herald_rsa_key_free(herald_rsa_key *key) {
    if (key == NULL) return;
    EVP_PKEY_free(key->pkey);
    OPENSSL_free(key);
}

int herald_rsa_key_bits(const herald_rsa_key *key) {
    return EVP_PKEY_get_bits(key->pkey);
}

long herald_rsa_public_key_der(const herald_rsa_key *key, uint8_t *out, size_t capacity) {
    int length = i2d_PUBKEY(key->pkey, NULL);
    if (length <= 0 || (size_t)length > capacity) return -1;
    unsigned char *cursor = out;
    return i2d_PUBKEY(key->pkey, &cursor) == length ? length : -1;
}

long herald_rsa_sign_sha256_digest(const herald_rsa_key *key, const uint8_t digest[32], uint8_t *out, size_t capacity) {
    // A context per call: contexts are not shared between threads, the key is (read-only).
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new(key->pkey, NULL);
    if (context == NULL) return -1;
    size_t length = capacity;
    long result = -1;
    if (EVP_PKEY_sign_init(context) > 0
        && EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) > 0
        && EVP_PKEY_CTX_set_signature_md(context, EVP_sha256()) > 0
        && EVP_PKEY_sign(context, out, &length, digest, 32) > 0) {
        result = (long)length;
    } else {
        ERR_clear_error();
    }
    EVP_PKEY_CTX_free(context);
    return result;
}

int herald_random_bytes(uint8_t *out, size_t count) {
    return RAND_bytes(out, (int)count) == 1;
}
