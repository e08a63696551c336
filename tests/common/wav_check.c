/*
 * wav_check: what a recording heard, for the shell-driven media tests.
 *
 *   wav_check FILE FREQUENCY [MIN_SECONDS]
 *
 * Prints the recording's dominant frequency (over its middle), the seconds
 * of FREQUENCY in it and the seconds of sound. Exit 0 when the dominant
 * frequency is within 5 Hz of FREQUENCY and FREQUENCY was heard for at least
 * MIN_SECONDS (default 0.5); 1 otherwise; 2 when the file cannot be read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "wav.h"

int main(int argc, char **argv)
{
    double frequency, min_seconds = 0.5, dominant, seconds;
    struct wav wav;
    gsize start, length;
    int ok;

    if (argc < 3 || argc > 4)
    {
        fprintf(stderr, "usage: wav_check FILE FREQUENCY [MIN_SECONDS]\n");
        return 2;
    }
    frequency = atof(argv[2]);
    if (argc == 4) min_seconds = atof(argv[3]);
    if (!wav_load(argv[1], &wav) || wav.count < wav.rate / 10)
    {
        fprintf(stderr, "wav_check: %s: not a 16-bit PCM WAV file with sound in it\n", argv[1]);
        return 2;
    }
    /* the middle of the recording, at most 2 s, away from the edges of the call */
    length = MIN(wav.count / 2, 2 * (gsize)wav.rate);
    start = (wav.count - length) / 2;
    dominant = wav_dominant_frequency(&wav, start, length);
    seconds = wav_tone_seconds(&wav, frequency);
    ok = fabs(dominant - frequency) <= 5.0 && seconds >= min_seconds;
    printf("%s: %.2f s at %u Hz, dominant %.1f Hz, %.2f s of %.0f Hz, %.2f s of sound: %s\n", argv[1],
           (double)wav.count / wav.rate, wav.rate, dominant, seconds, frequency, wav_sound_seconds(&wav),
           ok ? "ok" : "NOT HEARD");
    wav_clear(&wav);
    return ok ? 0 : 1;
}
