set datafile separator ','
set grid
set key center right
set terminal pngcairo size 960,600 font 'sans,11'
set output "churn.png"
set xlabel 'simulated time (s)'
set ylabel 'nodes'
set y2label 'lookups that found the closest live node'
set y2range [0:1.05]
set y2tics
set ytics nomirror
set arrow from 600,graph 0 to 600,graph 1 nohead dt 2
set title 'Churn: half the nodes leave at 600 s'
plot 'churn.csv' every ::1 using 1:2 with lines lw 2 title 'alive', '' every ::1 using 1:3 with lines title 'arrived', '' every ::1 using 1:5 with lines title 'completed', '' every ::1 using 1:8 axes x1y2 with linespoints title 'lookups found closest'
set terminal svg size 960,600 font 'sans,11'
set output "churn.svg"
set xlabel 'simulated time (s)'
set ylabel 'nodes'
set y2label 'lookups that found the closest live node'
set y2range [0:1.05]
set y2tics
set ytics nomirror
set arrow from 600,graph 0 to 600,graph 1 nohead dt 2
set title 'Churn: half the nodes leave at 600 s'
plot 'churn.csv' every ::1 using 1:2 with lines lw 2 title 'alive', '' every ::1 using 1:3 with lines title 'arrived', '' every ::1 using 1:5 with lines title 'completed', '' every ::1 using 1:8 axes x1y2 with linespoints title 'lookups found closest'
