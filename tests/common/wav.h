/*
 * What a recording heard: a small WAV reader and tone analysis (Goertzel)
 * for the media tests. The tests prove audio by frequencies and sample
 * counts, never by wall-clock time.
 */
#ifndef RTCSHIM_TEST_WAV_H
#define RTCSHIM_TEST_WAV_H

#include <glib.h>

struct wav
{
    guint rate;
    guint channels;
    gint16 *samples;        /* the first channel only */
    gsize count;
};

/* Reads a 16-bit PCM WAV file. A header whose sizes were never finished (a
 * recorder that was killed) is accepted: the data then runs to the end of
 * the file. FALSE when the file is missing or not 16-bit PCM. */
gboolean wav_load(const char *path, struct wav *wav);
void wav_clear(struct wav *wav);

/* The power of one frequency in samples [start, start + length) (Goertzel),
 * normalised by the window's energy: ~1.0 for a pure tone, ~0 without it. */
double wav_tone_share(const struct wav *wav, gsize start, gsize length, double frequency);

/* The strongest frequency between 50 and 4000 Hz over a window, to 0.5 Hz. */
double wav_dominant_frequency(const struct wav *wav, gsize start, gsize length);

/* Seconds of the recording, in 20 ms frames, where frequency carries at least
 * half of the frame's energy and the frame is not silent. */
double wav_tone_seconds(const struct wav *wav, double frequency);

/* Seconds of non-silent 20 ms frames. */
double wav_sound_seconds(const struct wav *wav);

#endif
