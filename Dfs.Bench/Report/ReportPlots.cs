using ScottPlot;

namespace Dfs.Bench.Report;

/// <summary>Line plots of the report, drawn with ScottPlot and saved as PNG; x is a count of clients on a log2 axis.</summary>
internal static class ReportPlots
{
    private const int Width = 900;
    private const int Height = 560;

    /// <summary>One named line: y at each x (NaN leaves the point out), dashed if it is a reference.</summary>
    public sealed record Series(string Name, IReadOnlyList<double> Ys, bool Reference = false);

    /// <summary>Saves a plot of the series against <paramref name="xs"/>; a log10 y axis when <paramref name="logY"/>.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<int> xs, IReadOnlyList<Series> series, bool logY = false)
    {
        var plot = new Plot();
        var positions = xs.Select(x => Math.Log2(x)).ToArray();
        foreach (var line in series)
        {
            var points = positions.Zip(line.Ys).Where(p => double.IsFinite(p.Second) && (!logY || p.Second > 0)).ToArray();
            if (points.Length == 0)
            {
                continue;
            }
            var scatter = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => logY ? Math.Log10(p.Second) : p.Second).ToArray());
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            if (line.Reference)
            {
                scatter.LinePattern = LinePattern.Dashed;
            }
        }
        plot.Axes.Bottom.SetTicks(positions, xs.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        if (logY)
        {
            // 1, 2 and 5 of each decade from 0.01 to 100,000, labelled with the values rather than their logarithms.
            var values = Enumerable.Range(-2, 8).SelectMany(e => new[] { 1.0, 2, 5 }.Select(m => m * Math.Pow(10, e))).ToArray();
            plot.Axes.Left.SetTicks(values.Select(Math.Log10).ToArray(), values.Select(v => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        else
        {
            plot.Axes.SetLimitsY(0, series.SelectMany(s => s.Ys).Where(double.IsFinite).DefaultIfEmpty(1).Max() * 1.1);
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        plot.SavePng(path, Width, Height);
    }
}
