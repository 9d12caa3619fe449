set datafile separator ','
set grid
set key top left
set terminal pngcairo size 960,600 font 'sans,11'
set output "completion.png"
set logscale xy
set xlabel 'leechers arriving at once (N)'
set ylabel 'time until every leecher has the file (s)'
set title 'Flash crowd: agora swarm, one server, and the Kumar-Ross bound'
plot "flash-crowd.csv" every ::1 using 1:3 with linespoints lw 2 title 'agora swarm', '' every ::1 using 1:4 with linespoints title 'one server: N F / u_s', '' every ::1 using 1:5 with linespoints title 'Kumar-Ross lower bound'
unset logscale
set autoscale x
set terminal svg size 960,600 font 'sans,11'
set output "completion.svg"
set logscale xy
set xlabel 'leechers arriving at once (N)'
set ylabel 'time until every leecher has the file (s)'
set title 'Flash crowd: agora swarm, one server, and the Kumar-Ross bound'
plot "flash-crowd.csv" every ::1 using 1:3 with linespoints lw 2 title 'agora swarm', '' every ::1 using 1:4 with linespoints title 'one server: N F / u_s', '' every ::1 using 1:5 with linespoints title 'Kumar-Ross lower bound'
unset logscale
set autoscale x
set terminal pngcairo size 960,600 font 'sans,11'
set output "progress-100.png"
set xlabel 'simulated time (s)'
set ylabel 'leechers complete'
set y2label 'download, all nodes (MB/s)'
set y2tics
set ytics nomirror
set title 'Flash crowd of 100: completions and aggregate download rate'
plot "timeseries-100.csv" every ::1 using 1:2 with lines lw 2 title 'complete', '' every ::1 using 1:($4/1e6) axes x1y2 with lines title 'download rate'
unset y2tics
unset y2label
set ytics mirror
set terminal svg size 960,600 font 'sans,11'
set output "progress-100.svg"
set xlabel 'simulated time (s)'
set ylabel 'leechers complete'
set y2label 'download, all nodes (MB/s)'
set y2tics
set ytics nomirror
set title 'Flash crowd of 100: completions and aggregate download rate'
plot "timeseries-100.csv" every ::1 using 1:2 with lines lw 2 title 'complete', '' every ::1 using 1:($4/1e6) axes x1y2 with lines title 'download rate'
unset y2tics
unset y2label
set ytics mirror
set terminal pngcairo size 960,600 font 'sans,11'
set output "progress-1000.png"
set xlabel 'simulated time (s)'
set ylabel 'leechers complete'
set y2label 'download, all nodes (MB/s)'
set y2tics
set ytics nomirror
set title 'Flash crowd of 1000: completions and aggregate download rate'
plot "timeseries-1000.csv" every ::1 using 1:2 with lines lw 2 title 'complete', '' every ::1 using 1:($4/1e6) axes x1y2 with lines title 'download rate'
unset y2tics
unset y2label
set ytics mirror
set terminal svg size 960,600 font 'sans,11'
set output "progress-1000.svg"
set xlabel 'simulated time (s)'
set ylabel 'leechers complete'
set y2label 'download, all nodes (MB/s)'
set y2tics
set ytics nomirror
set title 'Flash crowd of 1000: completions and aggregate download rate'
plot "timeseries-1000.csv" every ::1 using 1:2 with lines lw 2 title 'complete', '' every ::1 using 1:($4/1e6) axes x1y2 with lines title 'download rate'
unset y2tics
unset y2label
set ytics mirror
