// libcurl alone: the floor under Herald's sender. THREADS threads, each with one easy handle reused for every
// message, as Herald's senders use it, send N copies of one pre-built message (no database, no composing, no
// last-moment check). bench/send runs it next to Herald and smtp-source in the same run.
//
// usage: curl_alone URL N THREADS MESSAGE_FILE
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *message;
static size_t message_length;
static const char *url;
static int total, threads;

struct upload { size_t offset; };

static size_t read_body(char *buffer, size_t size, size_t count, void *context) {
    struct upload *upload = context;
    size_t left = message_length - upload->offset;
    size_t length = left < size * count ? left : size * count;
    memcpy(buffer, message + upload->offset, length);
    upload->offset += length;
    return length;
}

static void *send_all(void *argument) {
    int number = (int)(intptr_t)argument;
    int count = total / threads + (number < total % threads ? 1 : 0);
    CURL *handle = curl_easy_init();
    struct upload upload;
    curl_easy_setopt(handle, CURLOPT_URL, url);
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, "<news@example.com>");
    for (int i = 0; i < count; i++) {
        struct curl_slist *recipients = curl_slist_append(NULL, "<user@example0.com>");
        curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients);
        curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message_length);
        upload.offset = 0;
        CURLcode result = curl_easy_perform(handle);
        curl_slist_free_all(recipients);
        if (result != CURLE_OK) { fprintf(stderr, "curl_alone: %s\n", curl_easy_strerror(result)); exit(1); }
    }
    curl_easy_cleanup(handle);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: curl_alone URL N THREADS MESSAGE_FILE\n"); return 64; }
    url = argv[1];
    total = atoi(argv[2]);
    threads = atoi(argv[3]);
    FILE *file = fopen(argv[4], "rb");
    if (!file || threads < 1 || threads > 256) { fprintf(stderr, "curl_alone: cannot read %s\n", argv[4]); return 66; }
    fseek(file, 0, SEEK_END);
    message_length = (size_t)ftell(file);
    rewind(file);
    message = malloc(message_length);
    if (fread(message, 1, message_length, file) != message_length) { fprintf(stderr, "curl_alone: short read\n"); return 66; }
    fclose(file);
    curl_global_init(CURL_GLOBAL_ALL);
    pthread_t workers[256];
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, send_all, (void *)(intptr_t)i);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    return 0;
}
