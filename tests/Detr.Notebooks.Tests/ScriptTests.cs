namespace Detr.Notebooks.Tests;

/// <summary>The model-builder-style scripts run as a user would run them: train, then consume the saved zip.</summary>
[Collection(PackagesCollection.Name)]
public class ScriptTests(LocalPackageFeed feed)
{
    [Fact]
    public void TrainThenConsume()
    {
        var work = Directory.CreateTempSubdirectory("detr-scripts-").FullName;
        try
        {
            var train = Run("train.cs", work, "");
            Assert.True(train.ExitCode == 0, $"train.cs failed:\n{train.Output}");
            Assert.True(File.Exists(Path.Combine(work, "detr-model", "model.zip")));
            var consume = Run("consume.cs", work, "-- detr-model/model.zip");
            Assert.True(consume.ExitCode == 0, $"consume.cs failed:\n{consume.Output}");
            Assert.Contains("detections", consume.Output);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    ProcessRunner.Result Run(string script, string workingDirectory, string arguments)
    {
        string app = Path.Combine(workingDirectory, script);
        File.WriteAllText(app, FileBasedApp.FromScript(Path.Combine(RepositoryLayout.Root, "scripts", script), feed));
        return FileBasedApp.Run(app, arguments, workingDirectory, new Dictionary<string, string> { ["DETR_SCRIPT_PRESET"] = "tiny" });
    }
}
