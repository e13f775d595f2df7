namespace Detr.MLNet.Tests;

/// <summary>ML.NET wraps errors raised inside cursors; tests look for the library's own exception in the chain.</summary>
static class ExceptionChain
{
    public static T Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is T found)
                return found;
        throw new Xunit.Sdk.XunitException($"No {typeof(T).Name} inside {e}");
    }
}
