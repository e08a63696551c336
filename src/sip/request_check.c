/*
 * Checking received requests; see request_check.h.
 */
#include <stdlib.h>
#include <string.h>

#include "request_check.h"

#define KNOWN_METHODS "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, REGISTER, SUBSCRIBE, NOTIFY, " \
                      "REFER, PRACK, UPDATE, PUBLISH"

gboolean sip_token_list_contains(const char *list, const char *token)
{
    gsize token_length = strlen(token);
    const char *p = list;

    while (*p)
    {
        const char *start, *end;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((gsize)(end - start) == token_length && !g_ascii_strncasecmp(start, token, token_length))
            return TRUE;
    }
    return FALSE;
}

static void set_verdict(struct sip_request_verdict *verdict, guint code, const char *reason)
{
    verdict->code = code;
    verdict->reason = g_strdup(reason);
}

void sip_request_verdict_clear(struct sip_request_verdict *verdict)
{
    g_free(verdict->reason);
    g_free(verdict->header_name);
    g_free(verdict->header_value);
    memset(verdict, 0, sizeof(*verdict));
}

/* A CSeq number is 1*DIGIT below 2^31 (§8.1.1.5). */
static gboolean cseq_number_valid(const char *number)
{
    char *end;
    unsigned long value;

    if (!number || !g_ascii_isdigit(number[0]))
        return FALSE;
    value = strtoul(number, &end, 10);
    return !*end && value < 0x80000000UL && strlen(number) <= 10;
}

/* Max-Forwards: -1 when absent, -2 when malformed, else its value. */
static long max_forwards(const osip_message_t *request)
{
    osip_header_t *header = NULL;
    char *end;
    long value;

    if (osip_message_get_max_forwards(request, 0, &header) < 0 || !header)
        return -1;
    if (!header->hvalue || !g_ascii_isdigit(header->hvalue[0]))
        return -2;
    value = strtol(header->hvalue, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || value > 255)
        return -2;
    return value;
}

/* The option tags of every Require header that we do not support,
 * comma-separated, or NULL. */
static char *unsupported_requirements(const osip_message_t *request)
{
    GString *unsupported = NULL;
    osip_header_t *header;
    int position;

    /* The position given is where the search starts; the one returned is
     * where the header was found. */
    for (position = 0; (position = osip_message_get_require(request, position, &header)) >= 0; position++)
    {
        char **tokens, **token;

        if (!header || !header->hvalue)
            continue;
        tokens = g_strsplit(header->hvalue, ",", -1);
        for (token = tokens; *token; token++)
        {
            g_strstrip(*token);
            if (!**token || sip_token_list_contains(SIP_SUPPORTED_OPTIONS, *token))
                continue;
            if (!unsupported)
                unsupported = g_string_new(*token);
            else
                g_string_append_printf(unsupported, ", %s", *token);
        }
        g_strfreev(tokens);
    }
    return unsupported ? g_string_free(unsupported, FALSE) : NULL;
}

/* How many header fields called name (case-insensitive) the request has. */
static guint count_headers(const osip_message_t *request, const char *name)
{
    osip_header_t *header;
    guint count = 0;
    int position;

    for (position = 0; (position = osip_message_header_get_byname(request, name, position, &header)) >= 0; position++)
        count++;
    return count;
}

void sip_request_check(const osip_message_t *request, gsize raw_body_length, struct sip_request_verdict *verdict)
{
    static const struct
    {
        gsize offset;
        const char *name;
    } mandatory[] =
    {
        { G_STRUCT_OFFSET(osip_message_t, from), "From" },
        { G_STRUCT_OFFSET(osip_message_t, to), "To" },
        { G_STRUCT_OFFSET(osip_message_t, call_id), "Call-ID" },
        { G_STRUCT_OFFSET(osip_message_t, cseq), "CSeq" },
    };
    const char *method = request->sip_method;
    char *unsupported;
    guint replaces;
    long hops;
    gsize i;

    memset(verdict, 0, sizeof(*verdict));

    if (osip_list_size(&request->vias) < 1)
    {
        set_verdict(verdict, 400, "Missing Via Header");
        verdict->stateless = TRUE;
        return;
    }
    for (i = 0; i < G_N_ELEMENTS(mandatory); i++)
    {
        if (!G_STRUCT_MEMBER(void *, request, mandatory[i].offset))
        {
            char *reason = g_strdup_printf("Missing %s Header", mandatory[i].name);
            set_verdict(verdict, 400, reason);
            g_free(reason);
            verdict->stateless = TRUE;
            return;
        }
    }
    if (!request->call_id->number || !request->call_id->number[0])
    {
        set_verdict(verdict, 400, "Malformed Call-ID Header");
        verdict->stateless = TRUE;
        return;
    }
    if (!cseq_number_valid(request->cseq->number) || !request->cseq->method)
    {
        set_verdict(verdict, 400, "Malformed CSeq Header");
        return;
    }
    if (!method || strcmp(request->cseq->method, method))
    {
        set_verdict(verdict, 400, "CSeq Method Mismatch");
        return;
    }
    if (request->content_length && request->content_length->value)
    {
        char *end;
        unsigned long length = strtoul(request->content_length->value, &end, 10);

        if (*end || !g_ascii_isdigit(request->content_length->value[0]))
        {
            set_verdict(verdict, 400, "Malformed Content-Length Header");
            return;
        }
        if (length > raw_body_length)
        {
            set_verdict(verdict, 400, "Content-Length Exceeds Body");
            return;
        }
    }
    if ((replaces = count_headers(request, "replaces")) && strcmp(method, "ACK")
        && (replaces > 1 || strcmp(method, "INVITE")))
    {
        /* RFC 3891 §3: one Replaces, and only on an INVITE. */
        set_verdict(verdict, 400, replaces > 1 ? "Multiple Replaces Headers" : "Replaces Outside INVITE");
        return;
    }
    hops = max_forwards(request);
    if (hops == -2)
    {
        set_verdict(verdict, 400, "Malformed Max-Forwards Header");
        return;
    }
    if (!request->sip_version || g_ascii_strcasecmp(request->sip_version, "SIP/2.0"))
    {
        set_verdict(verdict, 505, "Version Not Supported");
        return;
    }
    if (hops == 0)
    {
        set_verdict(verdict, 483, "Too Many Hops");
        return;
    }
    if (!request->req_uri || !request->req_uri->scheme
        || (g_ascii_strcasecmp(request->req_uri->scheme, "sip") && g_ascii_strcasecmp(request->req_uri->scheme, "sips")))
    {
        set_verdict(verdict, 416, "Unsupported URI Scheme");
        return;
    }
    if (!sip_token_list_contains(SIP_ALLOWED_METHODS, method))
    {
        if (sip_token_list_contains(KNOWN_METHODS, method))
            set_verdict(verdict, 405, "Method Not Allowed");
        else
            set_verdict(verdict, 501, "Not Implemented");
        verdict->header_name = g_strdup("Allow");
        verdict->header_value = g_strdup(SIP_ALLOWED_METHODS);
        return;
    }
    if (strcmp(method, "CANCEL") && strcmp(method, "ACK") && (unsupported = unsupported_requirements(request)))
    {
        set_verdict(verdict, 420, "Bad Extension");
        verdict->header_name = g_strdup("Unsupported");
        verdict->header_value = unsupported;
        return;
    }
}

/* ---- requests libosip2 could not parse ---------------------------------------- */

static const struct
{
    char compact;
    const char *name;
} compact_names[] =
{
    { 'v', "Via" }, { 'f', "From" }, { 't', "To" }, { 'i', "Call-ID" }, { 'm', "Contact" },
    { 'c', "Content-Type" }, { 'l', "Content-Length" }, { 'e', "Content-Encoding" },
    { 'k', "Supported" }, { 's', "Subject" }, { 'o', "Event" }, { 'r', "Refer-To" },
    { 'b', "Referred-By" }, { 'u', "Allow-Events" },
};

static const char *canonical_name(const char *name)
{
    static const char *const full_names[] = { "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Type",
                                              "Content-Length", "Max-Forwards", "Route", "Record-Route" };
    gsize i;

    if (name[0] && !name[1])
    {
        for (i = 0; i < G_N_ELEMENTS(compact_names); i++)
            if (g_ascii_tolower(name[0]) == compact_names[i].compact)
                return compact_names[i].name;
    }
    for (i = 0; i < G_N_ELEMENTS(full_names); i++)
        if (!g_ascii_strcasecmp(name, full_names[i]))
            return full_names[i];
    return name;
}

/* Splits the header section into unfolded "name", "value" pairs. */
static GPtrArray *split_headers(const char *data, gsize length, char **request_line)
{
    GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
    gchar **lines, **line;
    char *text = g_strndup(data, length);
    char *end = strstr(text, "\r\n\r\n"), *lf_end = strstr(text, "\n\n");
    GString *current = NULL;

    if (end)
        *end = 0;
    else if (lf_end)
        *lf_end = 0;
    lines = g_strsplit(text, "\n", -1);
    g_free(text);
    *request_line = NULL;
    for (line = lines; *line; line++)
    {
        gsize line_length = strlen(*line);

        if (line_length && (*line)[line_length - 1] == '\r')
            (*line)[line_length - 1] = 0;
        if (!*request_line)
        {
            *request_line = g_strdup(*line);
            continue;
        }
        if (((*line)[0] == ' ' || (*line)[0] == '\t') && current)
        {
            g_string_append_c(current, ' ');
            g_string_append(current, g_strstrip(*line));
            continue;
        }
        if (current)
            g_ptr_array_add(headers, g_string_free(current, FALSE));
        current = g_string_new(*line);
    }
    if (current)
        g_ptr_array_add(headers, g_string_free(current, FALSE));
    g_strfreev(lines);
    return headers;
}

/* "METHOD SP Request-URI SP SIP/x.y": returns the method, or NULL. */
static char *request_line_method(const char *line, gboolean *uri_ok)
{
    const char *space = strchr(line, ' '), *p;
    char *uri;
    osip_uri_t *parsed;

    *uri_ok = FALSE;
    if (!space || space == line || !g_ascii_strncasecmp(line, "SIP/", 4))
        return NULL;
    for (p = line; p < space; p++)
        if (!g_ascii_isalnum(*p) && !strchr("-.!%*_+`'~", *p))
            return NULL;
    p = strrchr(line, ' ');
    if (p == space || g_ascii_strncasecmp(p + 1, "SIP/", 4))
        return NULL;
    uri = g_strndup(space + 1, p - space - 1);
    if (!osip_uri_init(&parsed))
    {
        *uri_ok = !osip_uri_parse(parsed, uri);
        osip_uri_free(parsed);
    }
    g_free(uri);
    return g_strndup(line, space - line);
}

char *sip_request_build_rejection(const char *data, gsize length, const char *to_tag, const char *server,
                                  gsize *response_length)
{
    char *request_line = NULL, *method, *reason = NULL, *result = NULL;
    GString *vias = g_string_new(NULL), *copied = g_string_new(NULL);
    GPtrArray *headers;
    gint64 content_length = 0;
    gboolean uri_ok;
    guint i;

    *response_length = 0;
    headers = split_headers(data, length, &request_line);
    method = request_line ? request_line_method(request_line, &uri_ok) : NULL;
    if (!method || !strcmp(method, "ACK"))
        goto done;
    if (!uri_ok)
        reason = g_strdup("Malformed Request-URI");

    for (i = 0; i < headers->len; i++)
    {
        char *line = g_ptr_array_index(headers, i), *colon = strchr(line, ':'), *name, *value;
        const char *canonical;
        osip_message_t *scratch;

        if (!colon)
        {
            if (!reason)
                reason = g_strdup("Malformed Header Line");
            continue;
        }
        name = g_strstrip(g_strndup(line, colon - line));
        value = g_strstrip(g_strdup(colon + 1));
        canonical = canonical_name(name);

        /* The first header libosip2 rejects names the reason. */
        if (!reason && !osip_message_init(&scratch))
        {
            if (osip_message_set_multiple_header(scratch, name, value) < 0)
                reason = g_strdup_printf("Malformed %s Header", canonical);
            osip_message_free(scratch);
        }
        if (!strcmp(canonical, "Via"))
        {
            g_string_append_printf(vias, "Via: %s\r\n", value);
        }
        else if (!strcmp(canonical, "To"))
        {
            if (to_tag && !strstr(value, ";tag=") && !strstr(value, "; tag="))
                g_string_append_printf(copied, "To: %s;tag=%s\r\n", value, to_tag);
            else
                g_string_append_printf(copied, "To: %s\r\n", value);
        }
        else if (!strcmp(canonical, "From") || !strcmp(canonical, "Call-ID") || !strcmp(canonical, "CSeq"))
        {
            g_string_append_printf(copied, "%s: %s\r\n", canonical, value);
        }
        else if (!strcmp(canonical, "Content-Length"))
        {
            content_length = g_ascii_strtoll(value, NULL, 10);
        }
        g_free(name);
        g_free(value);
    }

    /* Every header parsed: libosip2 refused the body (§18.3: shorter than
     * Content-Length). */
    if (!reason && content_length > 0)
    {
        const char *end = g_strstr_len(data, length, "\r\n\r\n");

        if (end && (gsize)content_length > length - (end + 4 - data))
            reason = g_strdup("Content-Length Exceeds Body");
    }

    if (vias->len)
    {
        GString *response = g_string_new(NULL);

        g_string_append_printf(response, "SIP/2.0 400 %s\r\n", reason ? reason : "Bad Request");
        g_string_append(response, vias->str);
        g_string_append(response, copied->str);
        if (server)
            g_string_append_printf(response, "Server: %s\r\n", server);
        g_string_append(response, "Content-Length: 0\r\n\r\n");
        *response_length = response->len;
        result = g_string_free(response, FALSE);
    }

done:
    g_free(reason);
    g_free(method);
    g_free(request_line);
    g_ptr_array_free(headers, TRUE);
    g_string_free(vias, TRUE);
    g_string_free(copied, TRUE);
    return result;
}
