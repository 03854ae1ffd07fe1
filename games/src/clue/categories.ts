/** Scales a round is played on when the settings bring none: 1 is `low`, 10 is `high`. */
export interface Category {
  low: string;
  high: string;
}

export const CATEGORIES: readonly Category[] = [
  { low: 'Ice cold', high: 'Boiling hot' },
  { low: 'Useless', high: 'Essential' },
  { low: 'Harmless', high: 'Deadly' },
  { low: 'Boring', high: 'Thrilling' },
  { low: 'Cheap', high: 'Priceless' },
  { low: 'Tiny', high: 'Enormous' },
  { low: 'Quiet', high: 'Deafening' },
  { low: 'Easy', high: 'Impossible' },
  { low: 'Healthy', high: 'Unhealthy' },
  { low: 'Old-fashioned', high: 'Futuristic' },
  { low: 'Smells awful', high: 'Smells wonderful' },
  { low: 'Underrated', high: 'Overrated' },
  { low: 'Slow', high: 'Fast' },
  { low: 'Soft', high: 'Hard' },
  { low: 'Sad', high: 'Happy' },
  { low: 'Normal pet', high: 'Weird pet' },
];
