/*
 * libFuzzer target over the presence document readers: PIDF (with the
 * data-model, RPID and CIPID elements) and watcherinfo, as a NOTIFY's or a
 * PUBLISH's body reaches them.
 *
 * Input: byte 0 picks the reader (even: PIDF, odd: watcherinfo); the rest
 * is the document. Whatever is read must write back, and what that writes
 * must read again into a document that writes the same bytes: the writer
 * and the reader agree on everything the reader keeps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_presence.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
    (void)user_data;
    /* A critical or a warning is a bug the input found: make it a crash. */
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
        g_log_writer_standard_streams(level, fields, n_fields, NULL);
        abort();
    }
    return G_LOG_WRITER_HANDLED;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_log_set_writer_func(log_writer, NULL, NULL);
    return 0;
}

static void mismatch(const char *what, const char *first, gsize first_length, const char *second,
                     gsize second_length)
{
    fprintf(stderr, "%s: written twice, not the same:\n%.*s\n----\n%.*s\n", what, (int)first_length, first,
            (int)second_length, second);
    abort();
}

static void check_pidf(const char *body, gsize length)
{
    struct sip_presence_document *document = sip_pidf_parse(body, length, NULL), *again;
    char *written, *rewritten;
    gsize written_length, rewritten_length;
    GError *error = NULL;

    if (!document)
        return;
    if (!(written = sip_pidf_build(document, &written_length, &error)))
    {
        fprintf(stderr, "a document that was read cannot be written: %s\n", error->message);
        abort();
    }
    if (!(again = sip_pidf_parse(written, written_length, &error)))
    {
        fprintf(stderr, "what was written cannot be read: %s\n%s\n", error->message, written);
        abort();
    }
    rewritten = sip_pidf_build(again, &rewritten_length, NULL);
    if (!rewritten || rewritten_length != written_length || memcmp(written, rewritten, written_length))
        mismatch("PIDF", written, written_length, rewritten ? rewritten : "", rewritten ? rewritten_length : 0);
    g_free(written);
    g_free(rewritten);
    sip_presence_document_free(document);
    sip_presence_document_free(again);
}

static void check_watcherinfo(const char *body, gsize length)
{
    struct sip_watcherinfo *info = sip_watcherinfo_parse(body, length, NULL), *again;
    char *written, *rewritten;
    gsize written_length, rewritten_length;
    GError *error = NULL;

    if (!info)
        return;
    if (!(written = sip_watcherinfo_build(info, &written_length, &error)))
    {
        fprintf(stderr, "a watcherinfo that was read cannot be written: %s\n", error->message);
        abort();
    }
    if (!(again = sip_watcherinfo_parse(written, written_length, &error)))
    {
        fprintf(stderr, "what was written cannot be read: %s\n%s\n", error->message, written);
        abort();
    }
    rewritten = sip_watcherinfo_build(again, &rewritten_length, NULL);
    if (!rewritten || rewritten_length != written_length || memcmp(written, rewritten, written_length))
        mismatch("watcherinfo", written, written_length, rewritten ? rewritten : "",
                 rewritten ? rewritten_length : 0);
    g_free(written);
    g_free(rewritten);
    sip_watcherinfo_free(info);
    sip_watcherinfo_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        check_watcherinfo((const char *)data + 1, size - 1);
    else
        check_pidf((const char *)data + 1, size - 1);
    return 0;
}
