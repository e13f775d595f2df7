using System.Text.Json;
using Detr.Training.Trainers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Trainers;

/// <summary>
/// <see cref="DetrAdamW"/> against torch.optim.AdamW on the same tensors (tests/fixtures/make_optimizer_fixtures.py):
/// two parameter groups with their own learning rate and weight decay, a rate dropped mid-way, clipped gradients.
/// </summary>
public class DetrAdamWParityTests
{
    [Fact]
    public void StepsEqualTorchAdamWWithTwoGroupsWeightDecayAndClipping()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "optimizer", "adamw_steps.json")));
        var root = doc.RootElement;
        using var scope = NewDisposeScope();
        var parameters = root.GetProperty("initial").EnumerateObject()
            .ToDictionary(p => p.Name, p => new Parameter(JsonTensors.Floats(p.Value), requires_grad: true));
        var groups = root.GetProperty("groups").EnumerateArray().Select(g => new DetrAdamW.Group(g.GetProperty("name").GetString()!,
            g.GetProperty("parameters").EnumerateArray().Select(n => (n.GetString()!, parameters[n.GetString()!])).ToList(),
            g.GetProperty("lr").GetDouble(), g.GetProperty("weight_decay").GetDouble())).ToList();
        using var optimizer = new DetrAdamW(groups);
        double clip = root.GetProperty("clip_max_norm").GetDouble();
        int step = 0;
        foreach (var expected in root.GetProperty("steps").EnumerateArray())
        {
            step++;
            var rates = expected.GetProperty("learning_rates").EnumerateArray().Select(r => r.GetDouble()).ToArray();
            for (int g = 0; g < groups.Count; g++)
                groups[g].LearningRate = rates[g];
            optimizer.ZeroGrad();
            // d/dp sum(p * g) is g exactly, so backward leaves the fixture's gradients on the parameters.
            var gradients = expected.GetProperty("gradients");
            parameters.Select(p => (p.Value * JsonTensors.Floats(gradients.GetProperty(p.Key))).sum()).Aggregate((a, b) => a + b).backward();
            double norm = nn.utils.clip_grad_norm_(parameters.Values, clip);
            Assert.Equal(expected.GetProperty("total_norm").GetDouble(), norm, 1e-5);
            optimizer.Step();
            foreach (var (name, p) in parameters)
            {
                var want = JsonTensors.Floats(expected.GetProperty("parameters").GetProperty(name)).data<float>().ToArray();
                var got = p.detach().data<float>().ToArray();
                for (int i = 0; i < want.Length; i++)
                    Assert.True(Math.Abs(want[i] - got[i]) <= 1e-6f, $"step {step}, {name}[{i}]: {got[i]}, torch.optim.AdamW {want[i]}");
            }
        }
        Assert.Equal(step, optimizer.StepCount);
    }
}
