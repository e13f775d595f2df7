using Detr.Training.Trainers;
using Spectre.Console;

namespace Detr.Cli.Reporting;

/// <summary>
/// Prints one line per finished epoch and per validation (synchronously, so lines never interleave); in a terminal,
/// <see cref="Show{T}"/> also keeps a live progress bar under them while training runs.
/// </summary>
public sealed class TrainingProgressPrinter(CliConsole console) : IProgress<DetrTrainingProgress>
{
    ProgressTask? _bar;

    /// <summary>
    /// Runs <paramref name="training"/> under a live progress bar of its steps when the output is an interactive
    /// terminal; elsewhere (logs, pipes, tests) it just runs, and the report lines are all there is.
    /// </summary>
    public T Show<T>(Func<T> training)
    {
        if (!console.Rich.Profile.Capabilities.Interactive)
            return training();
        return console.Rich.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                _bar = context.AddTask("training", maxValue: 1);
                try
                {
                    return training();
                }
                finally
                {
                    _bar = null;
                }
            });
    }

    /// <inheritdoc />
    public void Report(DetrTrainingProgress p)
    {
        if (_bar is { } bar && p.Validation is null)
        {
            bar.MaxValue = (double)p.Epochs * p.StepsPerEpoch;
            bar.Value = (double)(p.Epoch - 1) * p.StepsPerEpoch + p.Step;
            // The trainer's ETA, not the bar's own: a time budget can end training before the last epoch.
            bar.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:0.000}  ETA {p.Remaining:hh\\:mm\\:ss}";
        }
        if (p.Validation is { } v)
        {
            console.Rich.MarkupLine($"           [blue]validation[/] epoch {p.Epoch}: loss {v["loss"]:0.000}, AP {v.GetValueOrDefault("AP"):0.000}, AP50 {v.GetValueOrDefault("AP50"):0.000}");
            return;
        }
        if (p.Step != p.StepsPerEpoch)
            return;
        console.Rich.MarkupLine(
            $"           epoch {p.Epoch,3}/{p.Epochs}  loss {p.Loss,7:0.000}  ce {p.Terms.GetValueOrDefault("loss_ce"):0.000}  " +
            $"bbox {p.Terms.GetValueOrDefault("loss_bbox"):0.000}  giou {p.Terms.GetValueOrDefault("loss_giou"):0.000}  " +
            $"lr {p.LearningRate:0.0e0}  {p.ImagesPerSecond:0.0} img/s  RSS {p.ResidentBytes / 1e9:0.00} GB  ETA {p.Remaining:hh\\:mm\\:ss}" +
            (p.SkippedSteps > 0 ? $"  ({p.SkippedSteps} steps skipped: non-finite gradients)" : ""));
    }
}
