/**
 * The built-in question deck. It lives in code, not in the room settings, because settings are sent
 * to every player and the answers must stay with the game master.
 */
export interface Question {
  question: string;
  answer: string;
}

export const QUESTIONS: readonly Question[] = [
  { question: 'What is the capital of Australia?', answer: 'Canberra' },
  { question: 'How many legs does a spider have?', answer: 'Eight' },
  { question: 'Which planet is known as the Red Planet?', answer: 'Mars' },
  { question: 'What is the chemical symbol for gold?', answer: 'Au' },
  { question: 'Who painted the Mona Lisa?', answer: 'Leonardo da Vinci' },
  { question: 'What is the largest ocean on Earth?', answer: 'The Pacific Ocean' },
  { question: 'How many minutes are in a day?', answer: '1440' },
  { question: 'Which gas do plants take in from the air?', answer: 'Carbon dioxide' },
  { question: 'In which country are the pyramids of Giza?', answer: 'Egypt' },
  { question: 'What is the smallest prime number?', answer: 'Two' },
  { question: 'Which instrument has 88 keys?', answer: 'The piano' },
  { question: 'What is the longest river in Africa?', answer: 'The Nile' },
  { question: 'How many players does a football (soccer) team have on the pitch?', answer: 'Eleven' },
  { question: 'Which animal is known as the ship of the desert?', answer: 'The camel' },
  { question: 'What is frozen water called?', answer: 'Ice' },
  { question: 'Who wrote Romeo and Juliet?', answer: 'William Shakespeare' },
  { question: 'What is the hardest natural substance?', answer: 'Diamond' },
  { question: 'How many continents are there?', answer: 'Seven' },
  { question: 'What is the boiling point of water at sea level in Celsius?', answer: '100 degrees' },
  { question: 'Which country gave the Statue of Liberty to the USA?', answer: 'France' },
  { question: 'What is the square root of 144?', answer: 'Twelve' },
  { question: 'Which bird is a symbol of peace?', answer: 'The dove' },
  { question: 'What language is spoken in Brazil?', answer: 'Portuguese' },
  { question: 'How many sides does a hexagon have?', answer: 'Six' },
  { question: 'What is the largest planet in our solar system?', answer: 'Jupiter' },
  { question: 'Which organ pumps blood through the body?', answer: 'The heart' },
  { question: 'In which city is the Colosseum?', answer: 'Rome' },
  { question: 'What do bees make?', answer: 'Honey' },
  { question: 'Which metal is liquid at room temperature?', answer: 'Mercury' },
  { question: 'What is the currency of Japan?', answer: 'The yen' },
  { question: 'How many strings does a standard guitar have?', answer: 'Six' },
  { question: 'Which is the tallest mountain on Earth?', answer: 'Mount Everest' },
  { question: 'What colour do you get by mixing blue and yellow?', answer: 'Green' },
  { question: 'Who was the first person to walk on the Moon?', answer: 'Neil Armstrong' },
  { question: 'How many hours are in a week?', answer: '168' },
  { question: 'What is the capital of Canada?', answer: 'Ottawa' },
  { question: 'Which animal is the largest mammal?', answer: 'The blue whale' },
  { question: 'How many days does a leap year have?', answer: '366' },
  { question: 'What is the main ingredient of guacamole?', answer: 'Avocado' },
  { question: 'Which famous scientist developed the theory of relativity?', answer: 'Albert Einstein' },
];
