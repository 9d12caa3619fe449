/* bench/peak_rss.c — run a command and report what it cost: its peak RSS, CPU time and wall time.
 *
 * Usage: peak_rss PROGRAM [ARGS...]
 *
 * Forks, execs PROGRAM (searched in PATH) and waits for it with wait4(), so the peak RSS is the
 * child's own (ru_maxrss in KiB, the largest of it and any children it waited for): measuring from
 * the shell would not do, since a process inherits its parent's peak RSS across exec. When done it
 * writes one line
 *
 *   peak_rss tag=T pid=P exit=E maxrss_kib=N user_s=U sys_s=S cpu_s=C wall_s=W start_epoch=E0 first_byte_s=F
 *
 * appended to the file named by $PEAK_RSS_OUT, or to stderr if that is unset, and exits with the
 * child's exit code (128+N if it died of signal N, 127 if it could not be started).
 *
 * Environment:
 *   PEAK_RSS_OUT=FILE      append the result line to FILE instead of stderr
 *   PEAK_RSS_TAG=TEXT      put TEXT in the line's tag= field (no spaces)
 *   PEAK_RSS_PIDFILE=FILE  write the child's pid to FILE as soon as it is forked
 *   PEAK_RSS_WATCH=FILE    poll FILE every 10 ms until it has any block allocated on disk (st_blocks
 *                          > 0; a sparse preallocated file has none) and report that moment as
 *                          first_byte_s, seconds after the fork ("-" if never). Until then the wait
 *                          for the child's exit is a 10 ms poll too, so wall_s may be up to 10 ms
 *                          late for a child that exits before writing anything.
 *
 * SIGINT, SIGTERM and SIGHUP sent to the wrapper are passed on to the child; the wrapper then still
 * waits for it and reports. wall_s runs from just before fork() to wait4()'s return (CLOCK_MONOTONIC);
 * start_epoch is the wall-clock time of the fork, to line up several wrapped processes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child = -1;

static void forward(int sig) {
    if (child > 0) kill(child, sig);
}

static double seconds(const struct timespec *t) { return (double)t->tv_sec + (double)t->tv_nsec / 1e9; }
static double tv_seconds(const struct timeval *t) { return (double)t->tv_sec + (double)t->tv_usec / 1e6; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    const char *out_path = getenv("PEAK_RSS_OUT");
    const char *tag = getenv("PEAK_RSS_TAG");
    const char *pidfile = getenv("PEAK_RSS_PIDFILE");
    const char *watch = getenv("PEAK_RSS_WATCH");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;  /* no SA_RESTART: wait4 returns EINTR and is retried below */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    struct timespec t0, t_first, t1, epoch0;
    clock_gettime(CLOCK_REALTIME, &epoch0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("peak_rss: fork");
        return 127;
    }
    if (pid == 0) {
        /* The child gets default signal handling back (exec resets handlers, not SIG_IGN). */
        execvp(argv[1], argv + 1);
        fprintf(stderr, "peak_rss: cannot run %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    child = pid;
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)pid);
            fclose(f);
        }
    }

    int status = 0;
    struct rusage ru;
    int have_first = 0;
    pid_t r = 0;
    if (watch) {
        const struct timespec tick = {0, 10 * 1000 * 1000};
        for (;;) {
            r = wait4(pid, &status, WNOHANG, &ru);
            if (r == pid) break;
            struct stat st;
            if (stat(watch, &st) == 0 && st.st_blocks > 0) {
                clock_gettime(CLOCK_MONOTONIC, &t_first);
                have_first = 1;
                break;
            }
            nanosleep(&tick, NULL);
        }
    }
    while (r != pid) {
        r = wait4(pid, &status, 0, &ru);
        if (r < 0 && errno != EINTR) {
            perror("peak_rss: wait4");
            return 127;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127;
    double user = tv_seconds(&ru.ru_utime), sys = tv_seconds(&ru.ru_stime);
    char first[32];
    if (have_first) snprintf(first, sizeof first, "%.3f", seconds(&t_first) - seconds(&t0));
    else snprintf(first, sizeof first, "-");

    FILE *out = stderr;
    if (out_path) {
        out = fopen(out_path, "a");
        if (!out) {
            perror("peak_rss: PEAK_RSS_OUT");
            out = stderr;
        }
    }
    fprintf(out,
            "peak_rss tag=%s pid=%d exit=%d maxrss_kib=%ld user_s=%.3f sys_s=%.3f cpu_s=%.3f wall_s=%.3f "
            "start_epoch=%.3f first_byte_s=%s\n",
            tag ? tag : "-", (int)pid, code, ru.ru_maxrss, user, sys, user + sys, seconds(&t1) - seconds(&t0),
            seconds(&epoch0), first);
    if (out != stderr) fclose(out);
    return code;
}
