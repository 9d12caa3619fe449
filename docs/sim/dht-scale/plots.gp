set datafile separator ','
set grid
set key top left
set bars 4
set xlabel 'DHT nodes (N)'
set boxwidth 0.3 absolute
set xrange [-0.5:2.5]
set yrange [0:*]
set terminal pngcairo size 960,600 font 'sans,11'
set output "hops.png"
set ylabel 'hops to the closest node'
set title 'DHT lookups: hops against N'
plot 'dht-scale.csv' every ::1 using 0:7:6:10:9:xtic(1) with candlesticks lw 2 title 'p10, p25, p75, p90', '' every ::1 using 0:8:8:8:8 with candlesticks lt -1 lw 2 notitle, '' every ::1 using 0:8 with linespoints title 'median', '' every ::1 using 0:2 with linespoints dt 2 title 'log2(N)'
set terminal svg size 960,600 font 'sans,11'
set output "hops.svg"
set ylabel 'hops to the closest node'
set title 'DHT lookups: hops against N'
plot 'dht-scale.csv' every ::1 using 0:7:6:10:9:xtic(1) with candlesticks lw 2 title 'p10, p25, p75, p90', '' every ::1 using 0:8:8:8:8 with candlesticks lt -1 lw 2 notitle, '' every ::1 using 0:8 with linespoints title 'median', '' every ::1 using 0:2 with linespoints dt 2 title 'log2(N)'
set terminal pngcairo size 960,600 font 'sans,11'
set output "messages.png"
set ylabel 'queries sent per lookup'
set title 'DHT lookups: messages against N'
plot 'dht-scale.csv' every ::1 using 0:13:12:16:15:xtic(1) with candlesticks lw 2 title 'p10, p25, p75, p90', '' every ::1 using 0:14:14:14:14 with candlesticks lt -1 lw 2 notitle, '' every ::1 using 0:14 with linespoints title 'median', '' every ::1 using 0:2 with linespoints dt 2 title 'log2(N)'
set terminal svg size 960,600 font 'sans,11'
set output "messages.svg"
set ylabel 'queries sent per lookup'
set title 'DHT lookups: messages against N'
plot 'dht-scale.csv' every ::1 using 0:13:12:16:15:xtic(1) with candlesticks lw 2 title 'p10, p25, p75, p90', '' every ::1 using 0:14:14:14:14 with candlesticks lt -1 lw 2 notitle, '' every ::1 using 0:14 with linespoints title 'median', '' every ::1 using 0:2 with linespoints dt 2 title 'log2(N)'
set terminal pngcairo size 960,600 font 'sans,11'
set output "latency.png"
set ylabel 'seconds per lookup'
set title 'DHT lookups: latency against N'
plot 'dht-scale.csv' every ::1 using 0:19:18:22:21:xtic(1) with candlesticks lw 2 title 'p10, p25, p75, p90', '' every ::1 using 0:20:20:20:20 with candlesticks lt -1 lw 2 notitle, '' every ::1 using 0:20 with linespoints title 'median'
set terminal svg size 960,600 font 'sans,11'
set output "latency.svg"
set ylabel 'seconds per lookup'
set title 'DHT lookups: latency against N'
plot 'dht-scale.csv' every ::1 using 0:19:18:22:21:xtic(1) with candlesticks lw 2 title 'p10, p25, p75, p90', '' every ::1 using 0:20:20:20:20 with candlesticks lt -1 lw 2 notitle, '' every ::1 using 0:20 with linespoints title 'median'
