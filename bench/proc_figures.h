/*
 * Figures a bench program reads of a process from /proc (Linux): CPU ticks,
 * a field of /proc/PID/status, open file descriptors, context switches.
 */
#ifndef RTCSHIM_BENCH_PROC_FIGURES_H
#define RTCSHIM_BENCH_PROC_FIGURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

/* utime + stime of the process, in clock ticks. */
static inline long cpu_ticks(int pid)
{
    char *path = g_strdup_printf("/proc/%d/stat", pid), *text = NULL, *p;
    unsigned long utime = 0, stime = 0;

    if (g_file_get_contents(path, &text, NULL, NULL) && (p = strrchr(text, ')')))
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
    g_free(text);
    g_free(path);
    return utime + stime;
}

/* A number from /proc/PID/status ("VmRSS:", "Threads:"), -1 when absent. */
static inline long proc_status(int pid, const char *field)
{
    char *path = g_strdup_printf("/proc/%d/status", pid), *text = NULL, *line;
    long value = -1;

    if (g_file_get_contents(path, &text, NULL, NULL) && (line = strstr(text, field)))
        value = strtol(line + strlen(field), NULL, 10);
    g_free(text);
    g_free(path);
    return value;
}

/* The process's open file descriptors, -1 when it cannot be read. */
static inline long proc_fds(int pid)
{
    char *path = g_strdup_printf("/proc/%d/fd", pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    long count = 0;

    g_free(path);
    if (!dir) return -1;
    while (g_dir_read_name(dir)) count++;
    g_dir_close(dir);
    return count - (pid == getpid());     /* our own listing's descriptor */
}

/* The times the process's threads gave up the CPU to wait (each a wake-up
 * later): voluntary_ctxt_switches summed over /proc/PID/task. */
static inline long proc_voluntary_switches(int pid)
{
    char *path = g_strdup_printf("/proc/%d/task", pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *task;
    long sum = 0;

    if (!dir)
    {
        g_free(path);
        return -1;
    }
    while ((task = g_dir_read_name(dir)))
    {
        char *status = g_strdup_printf("%s/%s/status", path, task), *text = NULL, *line;

        if (g_file_get_contents(status, &text, NULL, NULL) && (line = strstr(text, "voluntary_ctxt_switches:")))
            sum += strtol(line + strlen("voluntary_ctxt_switches:"), NULL, 10);
        g_free(text);
        g_free(status);
    }
    g_dir_close(dir);
    g_free(path);
    return sum;
}


/* CPU ticks (utime + stime) of each thread of a process, by thread id. */
static inline GHashTable *proc_thread_ticks(int pid)
{
    GHashTable *ticks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char *path = g_strdup_printf("/proc/%d/task", pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *task;

    while (dir && (task = g_dir_read_name(dir)))
    {
        char *stat = g_strdup_printf("%s/%s/stat", path, task), *text = NULL, *p;
        unsigned long utime = 0, stime = 0;

        if (g_file_get_contents(stat, &text, NULL, NULL) && (p = strrchr(text, ')')))
        {
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
            g_hash_table_insert(ticks, g_strdup(task), GSIZE_TO_POINTER(utime + stime));
        }
        g_free(text);
        g_free(stat);
    }
    if (dir) g_dir_close(dir);
    g_free(path);
    return ticks;
}

/* The name of a thread of the process (its comm), NULL once it is gone. */
static inline char *proc_thread_name(int pid, const char *tid)
{
    char *path = g_strdup_printf("/proc/%d/task/%s/comm", pid, tid), *text = NULL;

    if (g_file_get_contents(path, &text, NULL, NULL)) g_strchomp(text);
    g_free(path);
    return text;
}

#endif
