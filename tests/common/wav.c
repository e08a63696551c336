/*
 * WAV reading and tone analysis for the media tests.
 */
#include <math.h>
#include <string.h>

#include "wav.h"

static guint32 le32(const guchar *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (guint32)p[3] << 24;
}

static guint16 le16(const guchar *p)
{
    return p[0] | p[1] << 8;
}

gboolean wav_load(const char *path, struct wav *wav)
{
    gsize size, pos = 12, frames, i;
    guint bits = 0, block = 0;
    guchar *data;

    memset(wav, 0, sizeof(*wav));
    if (!g_file_get_contents(path, (char **)&data, &size, NULL)) return FALSE;
    if (size < 12 || memcmp(data, "RIFF", 4) || memcmp(data + 8, "WAVE", 4)) goto bad;
    while (pos + 8 <= size)
    {
        guint32 chunk = le32(data + pos + 4);

        if (!memcmp(data + pos, "fmt ", 4) && pos + 8 + 16 <= size)
        {
            if (le16(data + pos + 8) != 1) goto bad;        /* PCM only */
            wav->channels = le16(data + pos + 10);
            wav->rate = le32(data + pos + 12);
            block = le16(data + pos + 20);
            bits = le16(data + pos + 22);
        }
        else if (!memcmp(data + pos, "data", 4))
        {
            gsize available = size - pos - 8;

            if (bits != 16 || !wav->channels || !block) goto bad;
            if (!chunk || chunk > available) chunk = available;     /* never finished */
            frames = chunk / block;
            wav->samples = g_new(gint16, frames ? frames : 1);
            for (i = 0; i < frames; i++)
                wav->samples[i] = (gint16)le16(data + pos + 8 + i * block);
            wav->count = frames;
            g_free(data);
            return TRUE;
        }
        pos += 8 + chunk + (chunk & 1);
    }
bad:
    g_free(data);
    return FALSE;
}

void wav_clear(struct wav *wav)
{
    g_free(wav->samples);
    memset(wav, 0, sizeof(*wav));
}

static double energy(const struct wav *wav, gsize start, gsize length)
{
    double sum = 0.0;
    gsize i;

    for (i = start; i < start + length && i < wav->count; i++)
        sum += (double)wav->samples[i] * wav->samples[i];
    return sum;
}

double wav_tone_share(const struct wav *wav, gsize start, gsize length, double frequency)
{
    double coeff = 2.0 * cos(2.0 * G_PI * frequency / wav->rate), s0, s1 = 0.0, s2 = 0.0, power, total;
    gsize i, n = 0;

    for (i = start; i < start + length && i < wav->count; i++, n++)
    {
        s0 = wav->samples[i] + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    if (!n) return 0.0;
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    total = energy(wav, start, length);
    /* A pure tone of energy E shows power E * n / 2 at its frequency. */
    return total > 0.0 ? power * 2.0 / (total * n) : 0.0;
}

double wav_dominant_frequency(const struct wav *wav, gsize start, gsize length)
{
    double best = 0.0, best_share = -1.0, f, coarse;

    for (f = 50.0; f <= 4000.0; f += 10.0)
    {
        double share = wav_tone_share(wav, start, length, f);
        if (share > best_share)
        {
            best_share = share;
            best = f;
        }
    }
    coarse = best;
    for (f = coarse - 10.0; f <= coarse + 10.0; f += 0.5)
    {
        double share = wav_tone_share(wav, start, length, f);
        if (share > best_share)
        {
            best_share = share;
            best = f;
        }
    }
    return best;
}

/* -50 dBFS: anything quieter is silence here. */
#define SILENCE_RMS (32768.0 * 0.00316)

double wav_tone_seconds(const struct wav *wav, double frequency)
{
    gsize frame = wav->rate / 50, i, hits = 0;

    for (i = 0; frame && i + frame <= wav->count; i += frame)
    {
        if (sqrt(energy(wav, i, frame) / frame) < SILENCE_RMS) continue;
        if (wav_tone_share(wav, i, frame, frequency) >= 0.5) hits++;
    }
    return hits * 0.02;
}

double wav_sound_seconds(const struct wav *wav)
{
    gsize frame = wav->rate / 50, i, hits = 0;

    for (i = 0; frame && i + frame <= wav->count; i += frame)
        if (sqrt(energy(wav, i, frame) / frame) >= SILENCE_RMS) hits++;
    return hits * 0.02;
}
