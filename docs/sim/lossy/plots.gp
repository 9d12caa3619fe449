set datafile separator ','
set grid
set key top right
set style fill solid 0.5
set boxwidth 0.5
set xrange [-0.5:3.5]
set yrange [0:*]
set terminal pngcairo size 960,600 font 'sans,11'
set output "throughput.png"
set ylabel 'mean download throughput per leecher (MB/s)'
set title 'Swarm throughput under loss and latency'
plot 'lossy.csv' every ::1 using 0:($9/1e6):xtic(1) with boxes title 'flash crowd'
set terminal svg size 960,600 font 'sans,11'
set output "throughput.svg"
set ylabel 'mean download throughput per leecher (MB/s)'
set title 'Swarm throughput under loss and latency'
plot 'lossy.csv' every ::1 using 0:($9/1e6):xtic(1) with boxes title 'flash crowd'
set terminal pngcairo size 960,600 font 'sans,11'
set output "lookup-latency.png"
set ylabel 'lookup latency (s)'
set title 'DHT lookup latency under loss and latency'
plot 'lossy.csv' every ::1 using 0:13:xtic(1) with boxes title 'median', '' every ::1 using 0:14 with linespoints title 'p90'
set terminal svg size 960,600 font 'sans,11'
set output "lookup-latency.svg"
set ylabel 'lookup latency (s)'
set title 'DHT lookup latency under loss and latency'
plot 'lossy.csv' every ::1 using 0:13:xtic(1) with boxes title 'median', '' every ::1 using 0:14 with linespoints title 'p90'
