/*
 * message/sipfrag bodies and the Subscription-State header.
 */
#include <string.h>

#include "sipfrag.h"

G_DEFINE_QUARK(rtcshim-sip-sipfrag-error-quark, sip_sipfrag_error)

static const struct
{
    guint code;
    const char *phrase;
} reason_phrases[] =
{
    { 100, "Trying" },
    { 180, "Ringing" },
    { 181, "Call Is Being Forwarded" },
    { 182, "Queued" },
    { 183, "Session Progress" },
    { 199, "Early Dialog Terminated" },
    { 200, "OK" },
    { 202, "Accepted" },
    { 204, "No Notification" },
    { 300, "Multiple Choices" },
    { 301, "Moved Permanently" },
    { 302, "Moved Temporarily" },
    { 305, "Use Proxy" },
    { 380, "Alternative Service" },
    { 400, "Bad Request" },
    { 401, "Unauthorized" },
    { 402, "Payment Required" },
    { 403, "Forbidden" },
    { 404, "Not Found" },
    { 405, "Method Not Allowed" },
    { 406, "Not Acceptable" },
    { 407, "Proxy Authentication Required" },
    { 408, "Request Timeout" },
    { 410, "Gone" },
    { 413, "Request Entity Too Large" },
    { 414, "Request-URI Too Long" },
    { 415, "Unsupported Media Type" },
    { 416, "Unsupported URI Scheme" },
    { 420, "Bad Extension" },
    { 421, "Extension Required" },
    { 422, "Session Interval Too Small" },
    { 423, "Interval Too Brief" },
    { 480, "Temporarily Unavailable" },
    { 481, "Call/Transaction Does Not Exist" },
    { 482, "Loop Detected" },
    { 483, "Too Many Hops" },
    { 484, "Address Incomplete" },
    { 485, "Ambiguous" },
    { 486, "Busy Here" },
    { 487, "Request Terminated" },
    { 488, "Not Acceptable Here" },
    { 489, "Bad Event" },
    { 491, "Request Pending" },
    { 493, "Undecipherable" },
    { 500, "Server Internal Error" },
    { 501, "Not Implemented" },
    { 502, "Bad Gateway" },
    { 503, "Service Unavailable" },
    { 504, "Server Time-out" },
    { 505, "Version Not Supported" },
    { 513, "Message Too Large" },
    { 600, "Busy Everywhere" },
    { 603, "Decline" },
    { 604, "Does Not Exist Anywhere" },
    { 606, "Not Acceptable" },
};

const char *sip_reason_phrase(guint code)
{
    static const char *const class_phrases[] =
    {
        "Provisional", "Success", "Redirection", "Client Error", "Server Error", "Global Failure",
    };
    gsize i;

    if (code < 100 || code > 699) return NULL;
    for (i = 0; i < G_N_ELEMENTS(reason_phrases); i++)
        if (reason_phrases[i].code == code) return reason_phrases[i].phrase;
    return class_phrases[code / 100 - 1];
}

static gboolean reason_is_valid(const char *reason)
{
    const unsigned char *p;

    for (p = (const unsigned char *)reason; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) return FALSE;
    return TRUE;
}

char *sip_sipfrag_build(guint code, const char *reason)
{
    if (code < 100 || code > 699) return NULL;
    if (!reason || !*reason) reason = sip_reason_phrase(code);
    if (!reason_is_valid(reason)) return NULL;
    return g_strdup_printf("SIP/2.0 %u %s\r\n", code, reason);
}

static gboolean is_lws(char c)
{
    return c == ' ' || c == '\t';
}

gboolean sip_sipfrag_parse(const char *body, gssize length, guint *code,
                           char **reason, GError **error)
{
    const char *p, *end, *eol, *r, *rend;
    guint value;

    if (reason) *reason = NULL;
    if (!body)
    {
        g_set_error_literal(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID, "Empty sipfrag body");
        return FALSE;
    }
    end = body + (length < 0 ? (gssize)strlen(body) : length);

    /* Some peers start the body with a blank line or indentation. */
    for (p = body; p < end && (is_lws(*p) || *p == '\r' || *p == '\n'); p++);
    for (eol = p; eol < end && *eol != '\r' && *eol != '\n' && *eol; eol++);
    if (eol < end && !*eol)
    {
        g_set_error_literal(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID, "NUL in sipfrag status line");
        return FALSE;
    }

    /* "SIP/2.0" 1*LWS 3DIGIT [1*LWS Reason-Phrase] */
    if (eol - p < 11 || g_ascii_strncasecmp(p, "SIP/2.0", 7) || !is_lws(p[7]))
    {
        g_set_error_literal(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID,
                            "Sipfrag does not start with a SIP/2.0 status line");
        return FALSE;
    }
    for (p += 7; p < eol && is_lws(*p); p++);
    if (eol - p < 3 || !g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[2])
            || (p + 3 < eol && !is_lws(p[3])))
    {
        g_set_error_literal(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID, "Bad status code in sipfrag");
        return FALSE;
    }
    value = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    if (value < 100 || value > 699)
    {
        g_set_error(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID, "Status code %u out of range in sipfrag", value);
        return FALSE;
    }

    for (r = p + 3; r < eol && is_lws(*r); r++);
    for (rend = eol; rend > r && is_lws(rend[-1]); rend--);
    if (code) *code = value;
    if (reason) *reason = g_strndup(r, rend - r);
    return TRUE;
}

/* Subscription-State */

static gboolean is_token_char(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static char *strip_dup(const char *start, const char *end)
{
    while (start < end && g_ascii_isspace(*start)) start++;
    while (end > start && g_ascii_isspace(end[-1])) end--;
    return g_strndup(start, end - start);
}

static gint64 parse_delta_seconds(const char *s)
{
    guint64 v = 0;
    const char *p;

    if (!*s) return -1;
    for (p = s; *p; p++)
    {
        if (!g_ascii_isdigit(*p)) return -1;
        if (v <= G_MAXUINT32) v = v * 10 + (*p - '0');
    }
    return MIN(v, (guint64)G_MAXUINT32);
}

static char *unquote(char *s)
{
    gsize len = strlen(s);

    if (len >= 2 && s[0] == '"' && s[len - 1] == '"')
    {
        memmove(s, s + 1, len - 2);
        s[len - 2] = 0;
    }
    return s;
}

gboolean sip_subscription_state_parse(const char *value,
                                      struct sip_subscription_state *state,
                                      GError **error)
{
    char **parts;
    char *name;
    const char *p;
    guint i;

    memset(state, 0, sizeof(*state));
    state->expires = -1;
    state->retry_after = -1;

    if (!value)
    {
        g_set_error_literal(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID, "Missing Subscription-State");
        return FALSE;
    }

    parts = g_strsplit(value, ";", -1);
    name = parts[0] ? strip_dup(parts[0], parts[0] + strlen(parts[0])) : g_strdup("");
    for (p = name; *p && is_token_char(*p); p++);
    if (!*name || *p)
    {
        g_set_error(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID, "Bad Subscription-State \"%s\"", name);
        g_free(name);
        g_strfreev(parts);
        return FALSE;
    }
    state->state_name = g_ascii_strdown(name, -1);
    g_free(name);
    if (!strcmp(state->state_name, "active")) state->state = SIP_SUBSTATE_ACTIVE;
    else if (!strcmp(state->state_name, "pending")) state->state = SIP_SUBSTATE_PENDING;
    else if (!strcmp(state->state_name, "terminated")) state->state = SIP_SUBSTATE_TERMINATED;
    else state->state = SIP_SUBSTATE_EXTENSION;

    for (i = 1; parts[i]; i++)
    {
        char *eq = strchr(parts[i], '='), *pname, *pvalue;

        if (!eq) continue;      /* a flag parameter: nothing we use */
        pname = strip_dup(parts[i], eq);
        pvalue = unquote(strip_dup(eq + 1, eq + strlen(eq)));

        if (!g_ascii_strcasecmp(pname, "reason") && !state->reason)
        {
            char *v = pvalue;

            /* linphone sends "reason=reason=noresource". */
            while (!g_ascii_strncasecmp(v, "reason", 6))
            {
                const char *q = v + 6;

                while (is_lws(*q)) q++;
                if (*q != '=') break;
                for (q++; is_lws(*q); q++);
                v = (char *)q;
            }
            if (*v) state->reason = g_ascii_strdown(v, -1);
        }
        else if (!g_ascii_strcasecmp(pname, "expires"))
            state->expires = parse_delta_seconds(pvalue);
        else if (!g_ascii_strcasecmp(pname, "retry-after"))
            state->retry_after = parse_delta_seconds(pvalue);

        g_free(pname);
        g_free(pvalue);
    }
    g_strfreev(parts);
    return TRUE;
}

void sip_subscription_state_clear(struct sip_subscription_state *state)
{
    if (!state) return;
    g_clear_pointer(&state->state_name, g_free);
    g_clear_pointer(&state->reason, g_free);
}

char *sip_subscription_state_build(const struct sip_subscription_state *state)
{
    static const char *const names[] = { "active", "pending", "terminated" };
    const char *name;
    GString *s;

    if (!state) return NULL;
    if (state->state == SIP_SUBSTATE_EXTENSION) name = state->state_name;
    else if ((guint)state->state < G_N_ELEMENTS(names)) name = names[state->state];
    else name = NULL;
    if (!name || !*name) return NULL;

    s = g_string_new(name);
    if (state->reason) g_string_append_printf(s, ";reason=%s", state->reason);
    if (state->expires >= 0) g_string_append_printf(s, ";expires=%" G_GINT64_FORMAT, state->expires);
    if (state->retry_after >= 0) g_string_append_printf(s, ";retry-after=%" G_GINT64_FORMAT, state->retry_after);
    return g_string_free(s, FALSE);
}
