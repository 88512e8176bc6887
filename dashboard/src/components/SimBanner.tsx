export function SimBanner({ show }: { show: boolean }) {
  if (!show) return null;
  return (
    <div className="sim-banner" role="note" data-testid="sim-banner">
      Simulated data: figures come from the built-in market simulator, not from a live source.
    </div>
  );
}
