#!/usr/bin/perl
# bench/ttfb.pl: time to the first text on the stdout of two commands, for
# bench/batch.sh.  Both are measured alike: the clock starts just before
# fork, the command is exec'd directly (no shell), its stdout is read as it
# comes, and the clock stops when the first text is there.  The two
# commands take turns, so that a machine busy with something else at some
# moment weighs on both alike.
#
#   perl bench/ttfb.pl N MODE CMD [ARG ...] -- MODE CMD [ARG ...]
#
# MODE text: the first byte of stdout (or-send --stream -t writes only text).
# MODE sse:  the first complete "data:" line whose delta has non-empty
#            "content" (raw SSE from curl -sN: the earliest a reader of
#            curl's output can have a piece of text).
# Prints the two means and the standard error of their difference (over
# the pairs of turns), in microseconds; exits non-zero if a run failed or
# had no text.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(time);

my $n = shift @ARGV;
my (@a, @b, $side);
$side = \@a;
for (@ARGV) {
	if ($_ eq '--' && $side == \@a) { $side = \@b; next }
	push @$side, $_;
}
for my $c (\@a, \@b) {
	die "usage: ttfb.pl N text|sse CMD ... -- text|sse CMD ...\n"
	    unless $n && @$c >= 2 && $c->[0] =~ /^(text|sse)$/;
}

sub once {
	my ($mode, @cmd) = @_;
	pipe(my $r, my $w) or die "pipe: $!";
	my $t0 = time;
	my $pid = fork;
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		close $r;
		open STDOUT, '>&', $w or POSIX::_exit(127);
		open STDERR, '>', '/dev/null';
		open STDIN, '<', '/dev/null';
		exec { $cmd[0] } @cmd or POSIX::_exit(127);
	}
	close $w;
	my ($buf, $t1) = ('', undef);
	while (sysread($r, my $b, 65536)) {
		next if defined $t1;
		$buf .= $b;
		if ($mode eq 'text'
		    || $buf =~ /^data: [^\n]*"content":"[^"][^\n]*\n/m) {
			$t1 = time;
			$buf = '';
		}
	}
	close $r;
	waitpid($pid, 0);
	die "ttfb.pl: $cmd[0] exited with status " . ($? >> 8) . "\n" if $?;
	die "ttfb.pl: no text from $cmd[0]\n" unless defined $t1;
	return $t1 - $t0;
}

my ($sa, $sb, @d) = (0, 0);
for (1 .. $n) {
	my $ta = once(@a);
	my $tb = once(@b);
	$sa += $ta;
	$sb += $tb;
	push @d, $ta - $tb;
}
my $md = ($sa - $sb) / $n;
my $var = 0;
$var += ($_ - $md) ** 2 for @d;
$var = $n > 1 ? $var / ($n - 1) : 0;
printf "%d %d %d\n", $sa / $n * 1e6, $sb / $n * 1e6, sqrt($var / $n) * 1e6;
