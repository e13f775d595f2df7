using Detr.Cli.Reporting;
using Detr.Training.Trainers;

namespace Detr.Cli.Tests;

/// <summary>Progress off a terminal (CI logs, <c>| tee</c>): one whole line per report, however long.</summary>
public class TrainingProgressPrinterTests
{
    static DetrTrainingProgress EndOfEpoch(IReadOnlyDictionary<string, double>? validation = null) => new()
    {
        Epoch = 12, Epochs = 40, Step = 25, StepsPerEpoch = 25, GlobalStep = 300, Loss = 1.2345,
        Terms = new Dictionary<string, double> { ["loss_ce"] = 0.5, ["loss_bbox"] = 0.25, ["loss_giou"] = 0.125 },
        LearningRate = 2e-5, ImagesPerSecond = 12.5, Remaining = TimeSpan.FromMinutes(3), SkippedSteps = 2, Validation = validation,
    };

    [Fact]
    public void EachReportIsOneUnbrokenLine()
    {
        var output = new StringWriter();
        var printer = new TrainingProgressPrinter(new CliConsole(output, new StringWriter()));
        printer.Report(EndOfEpoch() with { Step = 3 }); // mid-epoch: nothing
        printer.Report(EndOfEpoch());
        printer.Report(EndOfEpoch(new Dictionary<string, double> { ["loss"] = 1.5, ["AP"] = 0.25, ["AP50"] = 0.5 }));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"epoch +12/40 .* lr 2\.0e-5 .* ETA 00:03:00 +\(2 steps skipped: non-finite gradients\)\r?$", lines[0]);
        Assert.Matches(@"validation epoch 12: loss 1\.500, AP 0\.250, AP50 0\.500\r?$", lines[1]);
        Assert.DoesNotContain('\u001b', output.ToString()); // no colour codes in a log
    }
}
