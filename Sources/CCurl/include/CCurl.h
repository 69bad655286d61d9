// Typed wrappers for libcurl's variadic calls, which Swift cannot import.
// Each wrapper fixes the third argument's C type so the call is well-defined.
#ifndef HERALD_CCURL_H
#define HERALD_CCURL_H

#include <curl/curl.h>

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_read_function(CURL *handle, curl_read_callback callback);
CURLcode ccurl_easy_setopt_header_function(CURL *handle, curl_write_callback callback);
CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
