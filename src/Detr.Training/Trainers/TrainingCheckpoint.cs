using System.Text.Json;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using TorchSharp;

namespace Detr.Training.Trainers;

/// <summary>
/// Where training stands, saved as a folder: the model (<see cref="DetrCheckpoint"/>), the optimiser state and a JSON
/// of the position (epoch and step). Written into a sibling folder and swapped in by renames, so the last good checkpoint
/// survives a crash or a full disk at any moment.
/// </summary>
public static class TrainingCheckpoint
{
    const string ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors", AverageFile = "average.safetensors", StateFile = "state.json";

    /// <summary>Position in training: the next epoch and step to run, and steps done so far.</summary>
    public sealed record Position(int Epoch, int Step, long GlobalStep, int Seed);

    /// <summary>The checkpoint folder under <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(directory, "last");

    /// <summary>True when <paramref name="directory"/> holds a complete checkpoint.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(PathIn(directory), StateFile));

    /// <summary>Saves model, optimiser, the weight average (when training keeps one) and position atomically.</summary>
    public static void Save(string directory, DetectionTransformer model, IReadOnlyList<string> labels, DetrAdamW optimizer, Position position,
        WeightAverage? average = null)
    {
        Directory.CreateDirectory(directory);
        string final = PathIn(directory);
        string staging = final + ".new", previous = final + ".old";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        DetrCheckpoint.Save(model, labels, Path.Combine(staging, ModelFile));
        optimizer.Save(Path.Combine(staging, OptimizerFile));
        average?.Save(Path.Combine(staging, AverageFile));
        File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(position));
        if (Directory.Exists(previous))
            Directory.Delete(previous, recursive: true);
        if (Directory.Exists(final))
            Directory.Move(final, previous);
        Directory.Move(staging, final);
        if (Directory.Exists(previous))
            Directory.Delete(previous, recursive: true);
    }

    /// <summary>Loads the model weights into <paramref name="model"/> and the optimiser state; returns the position.</summary>
    public static Position Restore(string directory, DetectionTransformer model, DetrAdamW optimizer)
    {
        string folder = PathIn(directory);
        var (saved, _) = DetrCheckpoint.Load(Path.Combine(folder, ModelFile));
        using (saved)
            StateDictLoader.Load(model, saved.state_dict(), source: folder);
        optimizer.Load(Path.Combine(folder, OptimizerFile));
        return JsonSerializer.Deserialize<Position>(File.ReadAllText(Path.Combine(folder, StateFile)))
            ?? throw new InvalidDataException($"{folder}: empty training state.");
    }

    /// <summary>
    /// Loads the checkpoint's weight average into <paramref name="average"/>; a checkpoint written without one leaves
    /// it as made (from the restored weights).
    /// </summary>
    public static void RestoreAverage(string directory, WeightAverage average)
    {
        string file = Path.Combine(PathIn(directory), AverageFile);
        if (File.Exists(file))
            average.Load(file);
    }
}
