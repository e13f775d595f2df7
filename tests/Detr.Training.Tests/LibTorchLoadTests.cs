using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests;

public class LibTorchLoadTests
{
    [Fact]
    public void LibTorchRunsForwardAndBackward()
    {
        using var scope = NewDisposeScope();
        var linear = nn.Linear(3, 2);
        var input = tensor(new float[] { 1, 2, 3 }).reshape(1, 3);
        var output = linear.forward(input).sum();
        output.backward();

        var weightGradient = linear.weight!.grad!;
        // d(sum(W x + b))/dW = x for each output row.
        Assert.Equal(new float[] { 1, 2, 3, 1, 2, 3 }, weightGradient.data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1 }, linear.bias!.grad!.data<float>().ToArray());
    }
}
