import { mountApp } from '../shared/root';
import App from './App';

void mountApp(<App />, ['portal']);
