package fulcrum.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The bench's charts, as PNG files (JFreeChart, headless). */
final class Charts {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Completions per second of each named run. */
    static void throughputOverTime(Path file, Map<String, long[]> runs) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        runs.forEach((name, perSecond) -> {
            XYSeries s = new XYSeries(name);
            for (int i = 0; i < perSecond.length; i++) {
                s.add(i + 1, perSecond[i]);
            }
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Throughput over time (closed loop, max rate)", "second of the run",
                "answered per second", data, PlotOrientation.VERTICAL, true, false, false);
        // raw and Fulcrum differ by an order of magnitude or more: a log scale shows both lines' shape
        chart.getXYPlot().setRangeAxis(decades("answered per second (log scale)", 1));
        save(file, style(chart, false));
    }

    /**
     * Latency by percentile of each named histogram (microseconds): x is 1/(1-percentile) on a log
     * scale, so p90, p99 and p99.9 are evenly spaced at 10, 100 and 1000.
     */
    static void latencyDistribution(Path file, String title, Map<String, Histogram> histograms) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        histograms.forEach((name, h) -> {
            XYSeries s = new XYSeries(name, true, true);
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p < 0.99999) {
                    s.addOrUpdate(1.0 / (1.0 - p), v.getValueIteratedTo() / 1000.0);
                }
            }
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile (10 = p90, 100 = p99, 1000 = p99.9)",
                "latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(decades("percentile (10 = p90, 100 = p99, 1000 = p99.9)", 1));
        save(file, style(chart, true));
    }

    /** p99 against the offered rate, Fulcrum and raw. */
    static void loadCurve(Path file, List<LoadCurvePoint> points) throws IOException {
        XYSeries fulcrum = new XYSeries("Fulcrum writes p99");
        XYSeries raw = new XYSeries("raw quorum queue p99");
        for (LoadCurvePoint p : points) {
            fulcrum.add(p.targetRate(), p.fulcrum().latency().p99Millis());
            raw.add(p.targetRate(), p.raw().latency().p99Millis());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(fulcrum);
        data.addSeries(raw);
        JFreeChart chart = ChartFactory.createXYLineChart("Load curve: p99 latency at 10-100 % of Fulcrum's max write rate",
                "offered rate (requests/s, open loop)", "p99 latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().setRangeAxis(decades("p99 latency (ms, log scale)", 0.01));
        save(file, style(chart, true));
    }

    /** A log axis with a tick per decade labelled as a plain number (1, 10, 100), not as 10^n. */
    private static LogAxis decades(String label, double smallest) {
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(smallest);
        axis.setTickUnit(new NumberTickUnit(1.0));
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        axis.setMinorTickMarksVisible(true);
        return axis;
    }

    private static JFreeChart style(JFreeChart chart, boolean shapes) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        for (int i = 0; i < COLORS.length; i++) {
            renderer.setSeriesPaint(i, COLORS[i]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        if (plot.getRangeAxis() instanceof NumberAxis y) {
            y.setAutoRangeIncludesZero(true);
        }
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static void save(Path file, JFreeChart chart) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
